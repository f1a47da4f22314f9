package httpapi

import (
	"net/http"

	"github.com/wagateway/wagateway/internal/console"
)

// consoleRoutes serves the web console (internal/console) beside the API,
// from the same handler, so it needs no host or deployment of its own.
// Its files need no key: the console asks for one and calls the API
// with it, from the browser.
func (a *api) consoleRoutes() {
	c := console.New()
	a.handle("GET /{$}", toConsole())
	a.handle("GET /console", toConsole())
	// One pattern for every file; the guard leaves any other path under
	// /console/ to the router's JSON 404, like every unknown path.
	a.handleWhere("GET "+console.Prefix, c.Serves, c)
}

// toConsole redirects to the console. The Location is relative, so the
// redirect also works behind a path prefix (an API Gateway stage or a
// proxy's base path), where "/console/" would leave it.
func toConsole() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		console.SecurityHeaders(w.Header())
		w.Header().Set("Location", "console/")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusFound)
	})
}
