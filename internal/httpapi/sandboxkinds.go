package httpapi

// The GET /sandbox/{name}/sent fields of the kinds whose content is more
// than text. Each is null on entries of other kinds, and optional strings
// are null rather than "" when not given, as elsewhere in the API.
type (
	sentLocationView struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      *string `json:"name"`
		Address   *string `json:"address"`
	}
	// sentContactView has the send shape (API.md: Sandbox shapes).
	sentContactView struct {
		FullName     string  `json:"fullName"`
		PhoneNumber  string  `json:"phoneNumber"`
		Organization *string `json:"organization"`
		Email        *string `json:"email"`
	}
	sentPollView struct {
		Question        string   `json:"question"`
		Options         []string `json:"options"`
		SelectableCount int      `json:"selectableCount"`
	}
)

// sentKinds returns the location, contacts and poll fields of an entry.
func sentKinds(s SandboxSent) (*sentLocationView, []sentContactView, *sentPollView) {
	var loc *sentLocationView
	if l := s.Location; l != nil {
		loc = &sentLocationView{Latitude: l.Latitude, Longitude: l.Longitude, Name: optional(l.Name), Address: optional(l.Address)}
	}
	var cards []sentContactView
	for _, c := range s.Contacts {
		cards = append(cards, sentContactView{FullName: c.FullName, PhoneNumber: c.PhoneNumber,
			Organization: optional(c.Organization), Email: optional(c.Email)})
	}
	var poll *sentPollView
	if p := s.Poll; p != nil {
		poll = &sentPollView{Question: p.Question, Options: p.Options, SelectableCount: p.SelectableCount}
	}
	return loc, cards, poll
}
