package httpapi

import "github.com/wagateway/wagateway/internal/apidocs"

// docsRoutes adds the API reference (GET /docs, internal/apidocs): public,
// like the OpenAPI document it renders. The page is also at /docs/; any
// other path under /docs/ that is not one of its assets gets the
// router's JSON 404, like every unknown path.
func (a *api) docsRoutes() {
	docs := apidocs.New()
	a.handle("GET "+apidocs.Prefix, docs)
	a.handle("GET "+apidocs.Prefix+"/{$}", docs)
	a.handleWhere("GET "+apidocs.Prefix+"/{asset}", docs.Serves, docs)
}
