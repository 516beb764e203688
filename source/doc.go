// Package source is every way events get into eqld: it reads files,
// directories, globs and standard input, and yields a stream of JSON event
// documents for the detection engine.
//
// # Inputs
//
// The format is sniffed from the content, never from the file name:
//
//   - gzip and zstd compression are recognised by their magic bytes and
//     removed transparently (concatenated gzip members are read as one);
//   - formats registered with [Register] (EVTX, Windows XML, …) are chosen by
//     magic bytes, then by file extension;
//   - everything else must be JSON: NDJSON (one object per line; blank lines
//     and lines starting with // are ignored), a JSON array of objects
//     (streamed element by element, never loaded whole), a single object, or
//     pretty-printed objects one after another. A UTF-8 byte order mark and
//     CRLF line endings are accepted.
//
// Elasticsearch export shapes are unwrapped wherever they appear (a line, an
// array element, a whole file): a hit ({"_index":…,"_id":…,"_source":{…}},
// as written by elasticdump) yields its _source; a _search response yields
// hits.hits[]; an _eql/search response yields hits.events[] and
// hits.sequences[].events[] (each distinct event once, missing-event
// placeholders dropped).
//
// # Documents and identity
//
// Each [Event] carries the document (Raw), and the _index, _id and _version
// that Kibana hashes into alert ids (detection-engine.md §2.5). When a
// document has no _id, [ContentID] derives one from its bytes, so that the
// same event gets the same alert id on every run and overlapping inputs do
// not produce duplicate alerts.
//
// # Malformed input
//
// A document that is not a valid JSON object is reported as a [Problem]
// through Options.OnProblem, counted and skipped; the run goes on. So do
// unreadable files and truncated compressed streams (whatever was read before
// the damage is kept). With Options.Strict the first problem is returned as
// the error instead.
//
// # Speed
//
// Input is read in large blocks into a reused buffer; NDJSON lines are framed
// with bytes.IndexByte and checked by a one-pass validator (package
// internal/jsonscan) that accepts what encoding/json.Valid accepts
// (fastjson's Parse does not check escapes, control characters or number
// syntax) while noting the top-level
// members eqld needs (_source, _index, _id, _version, hits, data_stream),
// without building a tree and without recursion, so that hostile nesting
// cannot exhaust the stack (documents deeper than [MaxDepth] are reported).
// Event.Raw points into the buffer and ids are carved from shared blocks,
// so the hot path does not allocate per line. The SHA-256 of the content id
// is the largest cost after validation; see Options.DeferContentID.
// [Reader.NextBatch] amortises the per-call overhead for a parallel engine.
//
// A consumer that parses every document anyway can take over validation
// with Options.DeferValidation: plain NDJSON lines are then handed over
// unexamined (Event.Deferred) and each byte is scanned once, by the
// consumer. The engine does this: its decoder validates as it extracts.
package source
