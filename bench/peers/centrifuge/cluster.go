// The cluster side of the Centrifuge peer, for the cluster benchmarks
// (issue 12): an optional Redis broker, so that several peer processes on
// one Redis deliver each other's publications as Grafana Live's HA setup
// does (Grafana's `[live] ha_engine = redis` runs Centrifuge's Redis broker
// and presence manager), and Grafana Live's HTTP publish entry point.
//
//	POST /api/live/publish   {"channel":"<scope/namespace/path>","data":<json>}
//
// publishes `data` as it is into "1/<channel>" (org 1: the channel a client
// of Grafana's frontend subscribes to) through node.Publish, so with the
// Redis broker it goes through Redis to every peer, the publishing one
// included. The answer is 200 `{}` (Grafana's answer to a publish), 400 for
// a body that is not such an object.
package main

import (
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"

	"github.com/centrifugal/centrifuge"
)

// maxPublishBody is the largest publish body accepted (413 above it).
const maxPublishBody = 1 << 20

// useRedisBroker makes node publish and subscribe through the Redis at
// address (host:port, or a redis:// URL) with key prefix prefix (Centrifuge's
// default when empty). Presence stays in memory: no benchmark asks for it.
func useRedisBroker(node *centrifuge.Node, address, prefix string) error {
	shard, err := centrifuge.NewRedisShard(node, centrifuge.RedisShardConfig{Address: address})
	if err != nil {
		return err
	}
	broker, err := centrifuge.NewRedisBroker(node, centrifuge.RedisBrokerConfig{
		Prefix: prefix,
		Shards: []*centrifuge.RedisShard{shard},
	})
	if err != nil {
		return err
	}
	node.SetBroker(broker)
	return nil
}

// publishCommand is Grafana's LivePublishCmd.
type publishCommand struct {
	Channel string          `json:"channel"`
	Data    json.RawMessage `json:"data"`
}

// parsePublishCommand reads a publish body; data must be present and not
// null, as Grafana refuses to publish nothing.
func parsePublishCommand(body []byte) (publishCommand, error) {
	var command publishCommand
	if err := json.Unmarshal(body, &command); err != nil {
		return command, err
	}
	if command.Channel == "" {
		return command, errors.New("no channel")
	}
	if len(command.Data) == 0 || string(command.Data) == "null" {
		return command, errors.New("no data")
	}
	return command, nil
}

// publishHandler serves POST /api/live/publish.
type publishHandler struct {
	node *centrifuge.Node
}

func (h publishHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPublishBody))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	command, err := parsePublishCommand(body)
	if err != nil {
		http.Error(w, "bad publish body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if _, err := h.node.Publish("1/"+command.Channel, command.Data); err != nil {
		log.Printf("publish %s: %v", command.Channel, err)
		http.Error(w, "publish failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte("{}"))
}
