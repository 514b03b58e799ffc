//go:build race

package smbeam_test

// raceEnabled is true when the tests run under the race detector, which
// makes Beam's runtime several times slower (logged by the scale test).
const raceEnabled = true
