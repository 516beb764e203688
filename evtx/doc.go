// Package evtx reads Windows event log files (.evtx) and yields each event
// as a winevent.Record, with values rendered as Windows renders them in
// event XML. It is pure Go and has no dependencies beyond the standard
// library and winevent.
//
// # Usage
//
//	r, err := evtx.Open(path)
//	if err != nil { … }
//	defer r.Close()
//	for rec, err := range r.All() { // or: rec, err := r.Next() until io.EOF
//		if err != nil { … } // I/O errors only
//		…
//	}
//	st := r.Stats() // chunks and records read or skipped, and why
//
// Set Reader.ReuseRecord to have Next overwrite one Record instead of
// allocating a new one per event. Reader.XML returns the exact XML of the
// last record (for --xml dumps); RenderXML rebuilds XML from any Record.
//
// # Format
//
// A file is a 4 KiB header ("ElfFile") followed by 64 KiB chunks
// ("ElfChnk"). Each chunk has a 512-byte header (record ranges, offsets,
// CRC32s, a hash table of names and one of template definitions) and then
// event records ("**\0\0", size, record id, FILETIME, BinXML, size copy).
// The BinXML of a record is normally a template instance: the template
// definition (the XML skeleton with numbered substitutions) is stored once
// per chunk and referenced by offset from later records; the record
// supplies only the typed substitution values. Templates are compiled once
// per chunk and replayed per record; values stay raw bytes until a consumer
// renders them, so the hot path allocates about one string per record.
//
// # Rendering
//
// Values are rendered like Windows' own XML (EvtRender), which is what
// Elastic's ingest pipelines see: integers in decimal, HexInt32/HexInt64
// as 0x… without padding, GUIDs upper case in braces, SIDs as S-1-…,
// FILETIME and SYSTEMTIME as UTC with 7 fractional digits and "Z", binary
// as upper-case hex, booleans as true/false, strings up to the first NUL,
// ANSI strings as Windows-1252. size_t and EvtHandle are decimal, as
// libevtx prints them.
//
// A NULL substitution value leaves out the attribute it fills, and the
// element whose content consists only of NULL substitutions (libevtx does
// this for normal and optional substitutions alike; we follow it so the
// output matches evtxexport record for record). An element whose content
// holds an array value is repeated once per item (so EventData may hold
// several Data items with the same Name); an attribute array is rendered
// as its items separated by spaces. Nested BinXML values (type 0x21, as in
// most UserData) are expanded in place.
//
// The output is checked against libevtx's evtxexport on the 277 sample
// files of ../shared (TestAgainstEvtxexport). Differences that are
// deliberate: evtxexport zero-pads hex integers (0x00000000000342ba, we
// print 0x342ba as Windows does) and prints 9 fractional digits for
// FILETIME and 3 for SYSTEMTIME (we print 7).
//
// # Damaged and dirty files
//
// Reading never stops at damage short of an I/O error; what was skipped is
// counted and explained in Stats.Problems (chunk index and file offset):
//
//   - Every 64 KiB chunk present in the file size is read, whatever the
//     header's chunk count or dirty flag says (a stale header undercounts;
//     in a clean file such chunks are reported, and evtxexport lists their
//     records only as "recovered"); a final partial chunk (truncated file)
//     is read as far as it goes. All-zero chunks (preallocated, unused)
//     are skipped silently.
//   - A chunk without the "ElfChnk" signature is skipped.
//   - A CRC32 mismatch (file header, chunk header, event records) is
//     reported but does not skip data, as in libevtx: each record is still
//     checked on its own (signature, size, size copy, BinXML), and a dirty
//     log's newest chunk — often the most interesting one — routinely has
//     a stale checksum. When the chunk header's CRC is wrong its offsets
//     are not trusted: the whole chunk is walked until zero fill.
//   - Records are chained by size. A record with broken framing is skipped
//     and reading resumes at the next offset holding a plausible record
//     (signature, size matching its copy, BinXML fragment header). A record
//     whose BinXML cannot be parsed is skipped alone.
//   - When a dirty file's chunk header is stale, records continuing the id
//     sequence past the header's free-space offset are read too. Other data
//     in slack space (old records, which evtxexport -m recovered shows) is
//     not.
//
// Hostile input is bounded: element nesting (64), nested templates/BinXML
// (8), nodes per record (65,536) and per chunk (1,048,576), and bytes
// substituted per record (8 MiB); template definitions that refer to
// themselves are rejected. Records over a bound are skipped and reported.
package evtx
