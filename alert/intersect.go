package alert

// objectArrayIntersection is Kibana's objectArrayIntersection
// (eql/build_alert_group_from_sequence.ts), which makes the shell alert
// of a sequence out of its building blocks: a left fold of
// objectPairIntersection over the blocks' documents. It never returns nil:
// no objects, or nothing in common, give an empty object.
func objectArrayIntersection(objs []*object) *object {
	switch len(objs) {
	case 0:
		return newObject(0)
	case 1:
		return objs[0]
	}
	acc := objectValue(objs[0])
	for _, o := range objs[1:] {
		acc = objectPairIntersection(acc, objectValue(o))
	}
	if acc.kind != kindObject {
		return newObject(0)
	}
	return acc.obj
}

// objectPairIntersection keeps, for every key of a that b also has:
// nested plain objects intersected recursively; values kept when a === b;
// arrays (or an array and a scalar) through lodash's intersection. Other
// keys are left out. An object with no defined value left is undefined.
func objectPairIntersection(a, b value) value {
	if a.kind != kindObject || b.kind != kindObject {
		return undefinedValue
	}
	out := newObject(len(a.obj.keys))
	defined := 0
	for i, k := range a.obj.keys {
		bv, ok := b.obj.get(k)
		if !ok {
			continue
		}
		av := a.obj.vals[i]
		var r value
		switch {
		case av.kind == kindObject && bv.kind == kindObject:
			r = objectPairIntersection(av, bv)
		case strictEqual(av, bv):
			r = av
		case av.kind == kindArray && bv.kind == kindArray:
			r = lodashIntersection(av.arr, bv.arr)
		case av.kind == kindArray:
			r = lodashIntersection(av.arr, []value{bv})
		case bv.kind == kindArray:
			r = lodashIntersection([]value{av}, bv.arr)
		default:
			continue
		}
		out.set(k, r)
		if r.kind != kindUndefined {
			defined++
		}
	}
	if defined == 0 {
		return undefinedValue
	}
	return objectValue(out)
}

// strictEqual is JavaScript's === on decoded JSON: scalars by value;
// objects and arrays are distinct references and never equal, except the
// rule fields every block shares (pre-encoded once per Builder).
func strictEqual(a, b value) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case kindUndefined, kindNull, kindTrue, kindFalse:
		return true
	case kindNumber:
		return a.n == b.n
	case kindString:
		return a.s == b.s
	case kindRaw:
		return a.raw == b.raw
	}
	return false
}

// lodashIntersection is lodash's intersection(a, b): the distinct values of
// a (in a's order) that b contains, compared with SameValueZero.
func lodashIntersection(a, b []value) value {
	out := []value{}
	for i, x := range a {
		if !containsValue(b, x) || containsValue(a[:i], x) {
			continue
		}
		out = append(out, x)
	}
	return arrayValue(out)
}

func containsValue(vs []value, x value) bool {
	for _, v := range vs {
		if strictEqual(v, x) {
			return true
		}
	}
	return false
}
