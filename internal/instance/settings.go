package instance

// Settings are an instance's behaviour switches (API.md "Instance
// settings"). Stores keep a missing value as "not set", so an instance
// created before a setting existed reads the default: DefaultSettings is
// the one place the defaults are written.
type Settings struct {
	// TypingSimulation shows "typing…" (or "recording audio…") in the chat
	// while a message waits out its lane delay.
	TypingSimulation bool
	// ReceiveGroups delivers group messages (and their reactions, edits,
	// deletions and votes); RejectCalls rejects incoming calls at once.
	ReceiveGroups bool
	RejectCalls   bool
}

// DefaultSettings are the settings of an instance that never set any.
func DefaultSettings() Settings {
	return Settings{TypingSimulation: true, ReceiveGroups: false, RejectCalls: false}
}

// SettingsPatch changes some settings; a nil field keeps its value. It is
// both the body of PATCH /instance/{name}/settings and the optional
// settings of POST /instance/create (applied to the defaults).
type SettingsPatch struct {
	TypingSimulation *bool `json:"typingSimulation"`
	ReceiveGroups    *bool `json:"receiveGroups"`
	RejectCalls      *bool `json:"rejectCalls"`
}

// Apply returns s with the fields p sets replaced.
func (p SettingsPatch) Apply(s Settings) Settings {
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&s.TypingSimulation, p.TypingSimulation)
	set(&s.ReceiveGroups, p.ReceiveGroups)
	set(&s.RejectCalls, p.RejectCalls)
	return s
}
