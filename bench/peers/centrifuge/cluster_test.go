package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/centrifugal/centrifuge"
	"github.com/gorilla/websocket"
)

func TestParsePublishCommand(t *testing.T) {
	command, err := parsePublishCommand([]byte(`{"channel":"grafana/broadcast/x","data":{"values":[[1]]}}`))
	if err != nil || command.Channel != "grafana/broadcast/x" || string(command.Data) != `{"values":[[1]]}` {
		t.Fatalf("got %+v, %v", command, err)
	}
	for _, body := range []string{``, `[]`, `{"data":{}}`, `{"channel":"a/b/c"}`, `{"channel":"a/b/c","data":null}`} {
		if _, err := parsePublishCommand([]byte(body)); err == nil {
			t.Errorf("%q: accepted", body)
		}
	}
}

// startRedis runs a redis-server on a Unix socket in a temporary folder
// (no port to pick) for the test's lifetime; the test is skipped where
// redis-server is not installed.
func startRedis(t *testing.T) string {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("no redis-server")
	}
	socket := filepath.Join(t.TempDir(), "redis.sock")
	server := exec.Command(path, "--port", "0", "--unixsocket", socket,
		"--save", "", "--appendonly", "no")
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = server.Wait(); close(exited) }()
	t.Cleanup(func() { _ = server.Process.Kill(); <-exited })
	// Ready once it answers PING on the socket.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatal("redis-server exited")
		default:
		}
		if conn, err := net.Dial("unix", socket); err == nil {
			_, _ = conn.Write([]byte("PING\r\n"))
			reply := make([]byte, 7)
			_ = conn.SetReadDeadline(time.Now().Add(time.Second))
			n, _ := io.ReadFull(conn, reply)
			conn.Close()
			if string(reply[:n]) == "+PONG\r\n" {
				return "unix://" + socket
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("redis-server did not answer PING in 10 s")
	return ""
}

// startPeer serves a node on the Redis at address, as main does.
func startPeer(t *testing.T, address string) *httptest.Server {
	node, err := centrifuge.New(centrifuge.DefaultConfig)
	if err != nil {
		t.Fatal(err)
	}
	node.OnConnecting(func(context.Context, centrifuge.ConnectEvent) (centrifuge.ConnectReply, error) {
		return centrifuge.ConnectReply{Credentials: &centrifuge.Credentials{}}, nil
	})
	node.OnConnect(func(c *centrifuge.Client) {
		c.OnSubscribe(func(e centrifuge.SubscribeEvent, cb centrifuge.SubscribeCallback) {
			cb(centrifuge.SubscribeReply{}, nil)
		})
	})
	if err := useRedisBroker(node, address, "peer_test"); err != nil {
		t.Fatal(err)
	}
	if err := node.Run(); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/live/publish", publishHandler{node: node})
	mux.Handle("/connection/websocket", centrifuge.NewWebsocketHandler(node, centrifuge.WebsocketConfig{}))
	server := httptest.NewServer(mux)
	t.Cleanup(func() {
		server.Close()
		_ = node.Shutdown(context.Background())
	})
	return server
}

// A publication made over HTTP on peer A reaches a subscriber of peer B
// through Redis.
func TestPublishReachesOtherPeerThroughRedis(t *testing.T) {
	address := startRedis(t)
	peerA, peerB := startPeer(t, address), startPeer(t, address)

	url := "ws" + strings.TrimPrefix(peerB.URL, "http") + "/connection/websocket"
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, command := range []string{
		`{"id":1,"method":0,"params":{}}`,
		`{"id":2,"method":1,"params":{"channel":"1/grafana/broadcast/x"}}`,
	} {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(command)); err != nil {
			t.Fatal(err)
		}
	}
	received := make(chan string, 16)
	go func() {
		defer close(received)
		for {
			_, message, err := conn.ReadMessage()
			if err != nil {
				return
			}
			received <- string(message)
		}
	}()

	// Until B's Redis subscription is in place a publication is not
	// delivered, so A publishes again until B's client has one (bounded).
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	body := `{"channel":"grafana/broadcast/x","data":{"values":[[42]]}}`
	for {
		select {
		case message, ok := <-received:
			if !ok {
				t.Fatal("B closed the connection")
			}
			if strings.Contains(message, `"channel":"1/grafana/broadcast/x"`) &&
				strings.Contains(message, `{"values":[[42]]}`) {
				return
			}
		case <-tick.C:
			response, err := http.Post(peerA.URL+"/api/live/publish", "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			response.Body.Close()
			if response.StatusCode != http.StatusOK {
				t.Fatalf("publish answered %d", response.StatusCode)
			}
		case <-deadline:
			t.Fatal("no publication reached peer B")
		}
	}
}

func TestPublishRejectsBadBody(t *testing.T) {
	node, err := centrifuge.New(centrifuge.DefaultConfig)
	if err != nil {
		t.Fatal(err)
	}
	recorder := httptest.NewRecorder()
	publishHandler{node: node}.ServeHTTP(recorder,
		httptest.NewRequest(http.MethodPost, "/api/live/publish", strings.NewReader(`{"channel":""}`)))
	if recorder.Code != http.StatusBadRequest {
		t.Errorf("answered %d", recorder.Code)
	}
	recorder = httptest.NewRecorder()
	publishHandler{node: node}.ServeHTTP(recorder,
		httptest.NewRequest(http.MethodGet, "/api/live/publish", nil))
	if recorder.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET answered %d", recorder.Code)
	}
}
