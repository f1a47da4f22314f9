package message

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/wagateway/wagateway/internal/fault"
)

// Poll asks a question with 2 to 12 options to vote for.
const Poll Type = "poll"

// Limits of a poll, as WhatsApp's own clients enforce them.
const (
	MaxPollQuestionLen = 255
	MaxPollOptionLen   = 100
	MinPollOptions     = 2
	MaxPollOptions     = 12
)

// PollFields are the fields of a poll message. selectableCount is a
// pointer so that a missing one takes its default while 0 is refused.
type PollFields struct {
	Question        string   `json:"question"`
	Options         []string `json:"options"`
	SelectableCount *int     `json:"selectableCount"`
}

// PollContent is what a poll message stores and sends.
type PollContent struct {
	Question        string   `json:"question"`
	Options         []string `json:"options"`
	SelectableCount int      `json:"selectableCount"`
}

// Content is what a poll message stores: one answer unless the request
// allows more.
func (f *PollFields) Content() Content {
	n := 1
	if f.SelectableCount != nil {
		n = *f.SelectableCount
	}
	return Content{Poll: &PollContent{Question: f.Question, Options: f.Options, SelectableCount: n}}
}

var pollKind = Kind{
	Type:   Poll,
	fields: func() Fields { return new(PollFields) },
	check: func(c Content, issues *fault.Issues) {
		p := c.Poll
		if p == nil {
			p = &PollContent{}
		}
		if strings.TrimSpace(p.Question) == "" {
			issues.Add("Required", "question")
		} else {
			checkLen(issues, p.Question, MaxPollQuestionLen, "question")
		}
		// Against a wrong number of options, only the lower bound means
		// anything; the options' own issue says what to fix first.
		if checkPollOptions(issues, p.Options) {
			if p.SelectableCount < 1 || p.SelectableCount > len(p.Options) {
				issues.Add(fmt.Sprintf("Must be between 1 and %d (the number of options)", len(p.Options)), "selectableCount")
			}
		} else if p.SelectableCount < 1 {
			issues.Add("Must be at least 1", "selectableCount")
		}
	},
}

// checkPollOptions reports at most one problem per option, at its index,
// and whether the number of options is right. Options that differ only in
// surrounding spaces count as duplicates: they read the same on the
// phone, and voters could not tell them apart.
func checkPollOptions(issues *fault.Issues, options []string) (countOK bool) {
	switch {
	case options == nil:
		issues.Add("Required", "options")
		return false
	case len(options) < MinPollOptions || len(options) > MaxPollOptions:
		issues.Add(fmt.Sprintf("Must have %d to %d options", MinPollOptions, MaxPollOptions), "options")
	default:
		countOK = true
	}
	first := make(map[string]int, len(options))
	for i, o := range options {
		key := strings.TrimSpace(o)
		j, dup := first[key]
		switch {
		case key == "":
			issues.Add("Must not be empty", "options", i)
		case tooLong(o, MaxPollOptionLen):
			issues.Add(fmt.Sprintf("Must be at most %d characters", MaxPollOptionLen), "options", i)
		case dup:
			issues.Add(fmt.Sprintf("Duplicate of option %d", j), "options", i)
		}
		if !dup {
			first[key] = i
		}
	}
	return countOK
}

// PollSelected names the options a vote selected. WhatsApp carries a vote
// as the SHA-256 hashes of the option texts, so the texts come from the
// poll itself; a hash that matches no option is dropped (an option of a
// poll this gateway does not know in full).
func PollSelected(options []string, hashes [][]byte) []string {
	out := make([]string, 0, len(hashes))
	for _, h := range hashes {
		for _, o := range options {
			if sum := sha256.Sum256([]byte(o)); bytes.Equal(sum[:], h) {
				out = append(out, o)
				break
			}
		}
	}
	return out
}
