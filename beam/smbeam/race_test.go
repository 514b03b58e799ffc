//go:build race

package smbeam_test

// raceEnabled is true when the tests run under the race detector, which
// makes Beam's runtime an order of magnitude slower.
const raceEnabled = true
