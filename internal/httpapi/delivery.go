package httpapi

import (
	"net/http"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/outbox"
)

// deliveryView is one entry of GET /instance/{name}/deliveries.
type deliveryView struct {
	ID             string  `json:"id"`
	Event          string  `json:"event"`
	Status         string  `json:"status"`
	Attempts       int     `json:"attempts"`
	LastStatusCode *int    `json:"lastStatusCode"`
	LastError      *string `json:"lastError"`
	CreatedAt      string  `json:"createdAt"`
	DeliveredAt    *string `json:"deliveredAt"`
}

type redeliverView struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

func viewDelivery(d outbox.Delivery) deliveryView {
	v := deliveryView{ID: d.ID, Event: d.Name, Status: string(d.Status), Attempts: d.Attempts,
		LastError: optional(d.LastError), CreatedAt: clock.Format(d.CreatedAt)}
	if d.LastStatusCode != 0 {
		code := d.LastStatusCode
		v.LastStatusCode = &code
	}
	if !d.DeliveredAt.IsZero() {
		at := clock.Format(d.DeliveredAt)
		v.DeliveredAt = &at
	}
	return v
}

func (a *api) listDeliveries(w http.ResponseWriter, r *http.Request, tenantID, name string) error {
	list, err := a.svc.Deliveries(r.Context(), tenantID, name, r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	out := make([]deliveryView, 0, len(list))
	for _, d := range list {
		out = append(out, viewDelivery(d))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *api) redeliver(w http.ResponseWriter, r *http.Request, tenantID string) error {
	if err := noBody(r); err != nil {
		return err
	}
	d, err := a.svc.Redeliver(r.Context(), tenantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, redeliverView{ID: d.ID, Status: string(d.Status)})
	return nil
}
