package engine

// Hooks for the external tests.

// NoLateAnchors turns off routing busy sequences by their later stages'
// anchors (see compiled.lateAnchors).
func NoLateAnchors(o *Options) { o.noLateAnchors = true }

// LateAnchored counts the rules routed by their later stages' anchors.
func LateAnchored(e *Engine) int {
	n := 0
	for _, c := range e.rules {
		if c.lateAnchors != nil {
			n++
		}
	}
	return n
}
