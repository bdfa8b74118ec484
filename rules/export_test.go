package rules

// AlarmStorage reports, for tests, how many buckets the alarm of rule
// holds, how many its ring has room for, and the most it may hold (its
// buckets per period); ok is false if rule has no alarm.
func AlarmStorage(b *Bus, rule string) (held, capacity, limit int, ok bool) {
	b.mu.Lock()
	slot := b.rules[rule]
	b.mu.Unlock()
	if slot == nil || slot.cur.Load().alarm == nil {
		return 0, 0, 0, false
	}
	held, capacity, limit = slot.cur.Load().alarm.storage()
	return held, capacity, limit, true
}
