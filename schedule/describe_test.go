package schedule_test

import (
	"testing"
	"time"

	"github.com/rulebridge/rulebridge/schedule"
)

func TestDescribe(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		expr string
		opts []schedule.Option
		want string
	}{
		{"cron(0 7 ? * FRI *)", []schedule.Option{schedule.WithTimeZone("Asia/Tokyo")}, "at 07:00, only on Friday, Asia/Tokyo"},
		{"cron(0 12 * * ? *)", nil, "at 12:00, UTC"},
		{"cron(5,35 14 * * ? *)", nil, "at 14:05 and 14:35, UTC"},
		{"cron(0/15 * * * ? *)", nil, "every 15 minutes, UTC"},
		{"cron(* * * * ? *)", nil, "every minute, UTC"},
		{"cron(0/5 8-17 ? * MON-FRI *)", nil, "every 5 minutes past hours 8-17, only on Monday through Friday, UTC"},
		{"cron(0/30 20-2 ? * MON-FRI *)", nil, "every 30 minutes past hours 0-2 and 20-23, only on Monday through Friday, UTC"},
		{"cron(1,24,50-55,58 * 25 MAR/4 ? 2020,2021,2023,2028)", nil,
			"at minutes 1, 24, 50-55 and 58 of every hour, on day 25 of the month, only in March, July and November, only in 2020, 2021, 2023 and 2028, UTC"},
		{"cron(15 10 ? * 6L 2019-2022)", nil, "at 10:15, on the last Friday of the month, only in 2019-2022, UTC"},
		{"cron(0 9 ? * 3#2 *)", nil, "at 09:00, on the second Tuesday of the month, UTC"},
		{"cron(0 18 L * ? *)", nil, "at 18:00, on the last day of the month, UTC"},
		{"cron(30 9 L-2 * ? *)", nil, "at 09:30, 2 days before the last day of the month, UTC"},
		{"cron(0 0 LW * ? *)", nil, "at 00:00, on the last weekday of the month, UTC"},
		{"cron(0 0 15W * ? *)", nil, "at 00:00, on the weekday nearest day 15 of the month, UTC"},
		{"cron(0 0 1,15 * ? *)", nil, "at 00:00, on days 1 and 15 of the month, UTC"},
		{"rate(1 minute)", nil, "every minute"},
		{"rate(5 hours)", []schedule.Option{schedule.WithStartDate(start)}, "every 5 hours, from 2025-01-01T00:00:00Z"},
		{"at(2027-01-29T09:00:00)", []schedule.Option{schedule.WithTimeZone("Asia/Tokyo")}, "once at 2027-01-29 09:00:00, Asia/Tokyo"},
		{"cron(0 9 * * ? *)", []schedule.Option{schedule.WithFlexibleWindow(15 * time.Minute), schedule.WithEndDate(start)},
			"at 09:00, UTC, until 2025-01-01T00:00:00Z, within a 15-minute flexible window"},
	}
	for _, tt := range tests {
		s, err := schedule.Parse(tt.expr, tt.opts...)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.expr, err)
			continue
		}
		if got := s.Describe(); got != tt.want {
			t.Errorf("%s.Describe():\n got %q\nwant %q", tt.expr, got, tt.want)
		}
	}
	if got := (schedule.Schedule{}).Describe(); got != "never" {
		t.Errorf("zero Schedule: Describe() = %q, want never", got)
	}
}
