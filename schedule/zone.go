package schedule

import "time"

// resolve returns the instant at which the wall-clock time y-m-d h:mi:s
// occurs in loc, following the daylight-saving rules of this package:
//
//   - a wall time that does not exist (it falls in a spring-forward gap)
//     returns ok == false;
//   - a wall time that occurs twice (it falls in the hour repeated at
//     fall-back) returns its first occurrence, the earlier instant.
//
// Unlike time.Date, which does not say which of two instants it picks, the
// answer is fully determined.
func resolve(y int, m time.Month, d, h, mi, s int, loc *time.Location) (t time.Time, ok bool) {
	naive := time.Date(y, m, d, h, mi, s, 0, time.UTC).Unix()
	if loc == time.UTC {
		return time.Unix(naive, 0).In(loc), true
	}
	// The instant is naive-offset for some offset in force near it. Offsets
	// a day either side cover every real-world transition (no zone changes
	// its offset twice within a day).
	var (
		best  int64
		found bool
	)
	for _, probe := range [3]int64{naive - 86400, naive, naive + 86400} {
		off := offsetAt(probe, loc)
		c := naive - int64(off)
		if offsetAt(c, loc) != off {
			continue // this offset is not in force at c: not a match
		}
		if !found || c < best {
			best, found = c, true
		}
	}
	if !found {
		return time.Time{}, false
	}
	return time.Unix(best, 0).In(loc), true
}

// offsetAt returns loc's UTC offset in seconds at the Unix time sec.
func offsetAt(sec int64, loc *time.Location) int {
	_, off := time.Unix(sec, 0).In(loc).Zone()
	return off
}
