package rulesfile

import (
	"fmt"
	"strings"

	"github.com/rulebridge/rulebridge/targets"
)

// expandEnv replaces each ${NAME} in s by the environment variable NAME,
// read with targets.SecretFromEnv (so it must be set and non-empty). "$${"
// stands for a literal "${"; any other "$" is literal. NAME is a letter or
// underscore followed by letters, digits and underscores.
//
// The problems name variables and offsets, never the text of s or of a
// variable: s may be a credential.
func expandEnv(s string) (string, []string) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var (
		b     strings.Builder
		probs []string
	)
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			b.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				probs = append(probs, fmt.Sprintf("unterminated ${ at offset %d (write $${ for a literal ${)", i))
				return "", probs
			}
			name := s[i+2 : i+2+end]
			if !validEnvName(name) {
				probs = append(probs, fmt.Sprintf("${...} at offset %d does not hold a variable name (letters, digits and _, not starting with a digit)", i))
			} else if v, err := targets.SecretFromEnv(name); err != nil {
				probs = append(probs, fmt.Sprintf("environment variable %s is not set", name))
			} else {
				b.WriteString(string(v))
			}
			i += 2 + end + 1
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), probs
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
