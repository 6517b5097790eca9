// Command centrifuge_peer is the Centrifuge (Go library, Debian's 0.15) peer
// for Runnel's benchmarks: a WebSocket server on /connection/websocket that
// accepts every connect and subscribe. Like the testdata plugin's streams in
// Runnel, the first subscribe to a channel named bench/<N>hz starts an
// in-process publisher of N publications per second on it (it then runs
// until exit); other channels get nothing. Each publication carries its send
// time (Unix nanoseconds) as the last value of a one-row data-frame-shaped
// JSON payload, the shape Runnel's bench stream sends, so the load generator
// reads every server the same way.
//
// POST /api/live/push/<streamId> is Grafana Live's HTTP push (push.go):
// Influx line protocol in, one frame per measurement published to
// 1/stream/<streamId>/<measurement>.
//
// With -redis host:port it runs Centrifuge's Redis broker, and POST
// /api/live/publish is Grafana Live's HTTP publish (cluster.go): the cluster
// benchmarks run several peers on one Redis.
//
// On start it prints "LISTEN <host:port>" on stdout.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/centrifugal/centrifuge"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (port 0 picks a free port)")
	queueMax := flag.Int("client-queue-max-size", 0,
		"bytes queued per client before it is disconnected as slow (0: Centrifuge's default, 10 MB; Grafana sets 4 MB)")
	redisAddress := flag.String("redis", "",
		"Redis address (host:port): publish and subscribe through Redis so that several peers deliver each other's publications")
	redisPrefix := flag.String("redis-prefix", "gf_live", "key and channel prefix in Redis (gf_live: Grafana Live's)")
	flag.Parse()
	publishers := newPublisherSet()

	config := centrifuge.DefaultConfig
	if *queueMax > 0 {
		config.ClientQueueMaxSize = *queueMax
	}
	node, err := centrifuge.New(config)
	if err != nil {
		log.Fatalf("centrifuge.New: %v", err)
	}
	node.OnConnecting(func(ctx context.Context, e centrifuge.ConnectEvent) (centrifuge.ConnectReply, error) {
		// Anonymous user: every connection is accepted.
		return centrifuge.ConnectReply{Credentials: &centrifuge.Credentials{UserID: ""}}, nil
	})
	node.OnConnect(func(c *centrifuge.Client) {
		c.OnSubscribe(func(e centrifuge.SubscribeEvent, cb centrifuge.SubscribeCallback) {
			cb(centrifuge.SubscribeReply{}, nil)
			publishers.ensure(node, e.Channel)
		})
	})
	if *redisAddress != "" {
		if err := useRedisBroker(node, *redisAddress, *redisPrefix); err != nil {
			log.Fatalf("redis broker: %v", err)
		}
	}
	if err := node.Run(); err != nil {
		log.Fatalf("node.Run: %v", err)
	}

	mux := http.NewServeMux()
	mux.Handle("/api/live/push/", newPushHandler(node))
	mux.Handle("/api/live/publish", publishHandler{node: node})
	mux.Handle("/connection/websocket", centrifuge.NewWebsocketHandler(node, centrifuge.WebsocketConfig{
		CheckOrigin: func(*http.Request) bool { return true },
	}))
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen %s: %v", *addr, err)
	}
	fmt.Printf("LISTEN %s\n", listener.Addr().String())
	os.Stdout.Sync()
	go func() {
		if err := http.Serve(listener, mux); err != nil {
			log.Fatalf("serve: %v", err)
		}
	}()

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	<-signals
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = node.Shutdown(ctx)
}

// publisherSet starts at most one publisher per bench/<N>hz channel.
type publisherSet struct {
	mu      sync.Mutex // guards started
	started map[string]bool
}

func newPublisherSet() *publisherSet {
	return &publisherSet{started: make(map[string]bool)}
}

// ensure starts the publisher of channel if it is a bench/<N>hz channel
// without one yet.
func (s *publisherSet) ensure(node *centrifuge.Node, channel string) {
	rate, ok := benchRate(channel)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started[channel] {
		return
	}
	s.started[channel] = true
	go publishForever(node, channel, rate)
}

// benchRate parses N from "bench/<N>hz" (1 <= N <= 100000).
func benchRate(channel string) (float64, bool) {
	if !strings.HasPrefix(channel, "bench/") || !strings.HasSuffix(channel, "hz") {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(channel, "bench/"), "hz"))
	if err != nil || n < 1 || n > 100000 {
		return 0, false
	}
	return float64(n), true
}

// publishForever publishes one payload every 1/rate seconds.
func publishForever(node *centrifuge.Node, channel string, rate float64) {
	ticker := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer ticker.Stop()
	value := 50.0
	buf := make([]byte, 0, 160)
	for range ticker.C {
		now := time.Now()
		value += rand.Float64() - 0.5
		// The bytes Runnel's bench stream sends: one row of Time (epoch ms
		// plus the sub-millisecond nanos), Value (float64), sent_ns (int64).
		buf = buf[:0]
		buf = append(buf, `{"data":{"values":[[`...)
		buf = strconv.AppendInt(buf, now.UnixMilli(), 10)
		buf = append(buf, `],[`...)
		buf = strconv.AppendFloat(buf, value, 'g', -1, 64)
		buf = append(buf, `],[`...)
		buf = strconv.AppendInt(buf, now.UnixNano(), 10)
		buf = append(buf, `]],"nanos":[[`...)
		buf = strconv.AppendInt(buf, now.UnixNano()%1000000, 10)
		buf = append(buf, `],null,null]}}`...)
		// Publish copies nothing it keeps after returning for the memory
		// broker without history, but give it its own slice to be safe.
		payload := append([]byte(nil), buf...)
		if _, err := node.Publish(channel, payload); err != nil {
			log.Printf("publish: %v", err)
		}
	}
}
