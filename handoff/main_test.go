package handoff_test

import "flag"

var update = flag.Bool("update", false, "rewrite golden and spec files")
