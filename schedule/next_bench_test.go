package schedule_test

import (
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/rulebridge/rulebridge/schedule"
)

var sinkTime time.Time

// BenchmarkNext compares Next with robfig/cron's SpecSchedule (the
// baseline, measured in the same run) on the same weekly schedule, and
// measures the worst case: a schedule that never fires, searched to 2199.
func BenchmarkNext(b *testing.B) {
	from := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	robfig, err := cron.ParseStandard("0 9 * * 5")
	if err != nil {
		b.Fatal(err)
	}
	ours := schedule.MustParse("cron(0 9 ? * FRI *)")
	tokyo := schedule.MustParse("cron(0 9 ? * FRI *)", schedule.WithTimeZone("Asia/Tokyo"))
	never := schedule.MustParse("cron(0 0 31 2 ? *)")
	for _, bm := range []struct {
		name string
		s    cron.Schedule
	}{
		{"robfig-baseline", robfig},
		{"weekly-UTC", ours},
		{"weekly-Tokyo", tokyo},
		{"never-to-2199", never},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkTime = bm.s.Next(from)
			}
		})
	}
}
