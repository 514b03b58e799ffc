//go:build race

package report_test

// raceEnabled is true under -race, where heap figures are distorted.
const raceEnabled = true
