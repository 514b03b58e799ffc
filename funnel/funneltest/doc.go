// Package funneltest is a test kit for hosts of package funnel: a checker
// to run on your own lifecycle model in CI, and rapid generators of valid
// and invalid move sequences (and of random valid specs) for property
// tests.
//
// Check a custom model in a test:
//
//	func TestLifecycle(t *testing.T) {
//		m, err := funnel.Load(specJSON, myGuards...)
//		if err != nil {
//			t.Fatal(err)
//		}
//		funneltest.CheckModel(t, m)
//	}
//
// Property-test code that stores states and events:
//
//	rapid.Check(t, func(t *rapid.T) {
//		moves := funneltest.ValidMoves(m, "c1", start, 30).Draw(t, "moves")
//		// apply them through your storage layer, reload, compare ...
//	})
//
// The checker ([Check], [CheckModel]) reports [*Problem] values, each
// naming the [Rule] it breaks. The generators: [ValidMove] and
// [ValidMoves] (accepted moves), [InvalidMove] (a refused move and the
// sentinel it must be refused with), [Moves] (mixed sequences with the
// expected error of each [Step]) and [Spec] (random valid lifecycles).
//
// Everything here is deterministic for a given rapid seed, and safe for
// concurrent use (no shared state).
package funneltest
