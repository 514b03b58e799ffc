package funneltest_test

import (
	"testing"

	"github.com/smarketing/smarketing/funnel"
	"github.com/smarketing/smarketing/funnel/funneltest"
)

func TestPresetsPassCheck(t *testing.T) {
	funneltest.CheckModel(t, funnel.Default())
	funneltest.CheckModel(t, funnel.Waterfall())
}
