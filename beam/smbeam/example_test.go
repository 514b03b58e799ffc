package smbeam_test

import (
	"fmt"

	"github.com/smarketing/smarketing/beam/smbeam"
)

// ParseLine reads one line of a log; a bad line says which field is at
// fault (a pipeline sends it to the dead letters).
func ExampleParseLine() {
	rec, _, err := smbeam.ParseLine(smbeam.CSV, `deal,D1,L1,12500.50,2025-03-02T00:00:00Z,2025-04-01T00:00:00Z,true,marketing`)
	fmt.Println(rec.Deal.ID, rec.Deal.Amount, rec.Deal.Won, err)

	_, _, err = smbeam.ParseLine(smbeam.CSV, `deal,D2,L1,12.500,50,2025-03-02T00:00:00Z,,false,sales`)
	fmt.Println(err)

	rec, _, _ = smbeam.ParseLine(smbeam.JSONL, `{"lead":"L1","version":1,"at":"2025-03-01T09:00:00Z","to":"lead","kind":"entry","first_entry":true,"dims":["paid"]}`)
	fmt.Println(rec.Event.Lead, rec.Event.To, rec.Dims)
	// Output:
	// D1 12500.5 true <nil>
	// smbeam: unparsable line: deal: column "created_at": bad value "50": parsing time "50" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "50" as "2006"
	// L1 lead [paid]
}
