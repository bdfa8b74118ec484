package rulesfile

// StripPositions clears what records where things were written, so that
// files written differently compare equal with reflect.DeepEqual.
func StripPositions(f *File) {
	f.Name = ""
	for i := range f.Rules {
		r := &f.Rules[i]
		r.file, r.pos, r.props = "", position{}, nil
		for j := range r.Targets {
			t := &r.Targets[j]
			for _, s := range []*Sink{&t.Sink, t.DeadLetter} {
				if s != nil && s.File != nil {
					s.File.pos = position{}
				}
			}
		}
	}
}
