package message

import (
	"fmt"
	"math"

	"github.com/wagateway/wagateway/internal/fault"
)

// Location is a pin on the map, with an optional name and address.
const Location Type = "location"

// MaxPlaceTextLen bounds a location's name and address: WhatsApp shows
// them as two short lines under the map.
const MaxPlaceTextLen = 1000

// LocationFields are the fields of a location message. The coordinates
// are pointers because 0 is a real place: only a missing one is missing.
type LocationFields struct {
	Latitude  *float64 `json:"latitude"`
	Longitude *float64 `json:"longitude"`
	Name      string   `json:"name"`
	Address   string   `json:"address"`
}

// LocationContent is what a location message stores and sends.
type LocationContent struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
}

// Content is what a location message stores. A coordinate the request
// left out becomes NaN, which no JSON number is, so Validate can tell it
// from 0; Validate refuses it, so it is never stored.
func (f *LocationFields) Content() Content {
	orMissing := func(v *float64) float64 {
		if v == nil {
			return math.NaN()
		}
		return *v
	}
	return Content{Location: &LocationContent{Latitude: orMissing(f.Latitude), Longitude: orMissing(f.Longitude),
		Name: f.Name, Address: f.Address}}
}

var locationKind = Kind{
	Type:   Location,
	fields: func() Fields { return new(LocationFields) },
	check: func(c Content, issues *fault.Issues) {
		l := c.Location
		if l == nil {
			issues.Add("Required", "latitude")
			issues.Add("Required", "longitude")
			return
		}
		checkCoordinate(issues, "latitude", l.Latitude, 90)
		checkCoordinate(issues, "longitude", l.Longitude, 180)
		checkLen(issues, l.Name, MaxPlaceTextLen, "name")
		checkLen(issues, l.Address, MaxPlaceTextLen, "address")
	},
}

// checkCoordinate checks that v was given and lies within ±limit degrees.
func checkCoordinate(issues *fault.Issues, field string, v, limit float64) {
	switch {
	case math.IsNaN(v):
		issues.Add("Required", field)
	case v < -limit || v > limit:
		issues.Add(fmt.Sprintf("Must be between %g and %g", -limit, limit), field)
	}
}
