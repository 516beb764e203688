package evtx_test

import (
	"fmt"
	"log"

	"github.com/eqld/eqld/evtx"
)

// Reading every record of a file, then reporting what was skipped.
func Example() {
	r, err := evtx.Open("Security.evtx")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	for rec, err := range r.All() {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rec.TimeCreated, rec.EventID, rec.Computer)
		if v, ok := rec.Get("TargetUserName"); ok {
			fmt.Println("  user:", v)
		}
	}
	for _, p := range r.Stats().Problems {
		log.Printf("%s: %s", "Security.evtx", p)
	}
}
