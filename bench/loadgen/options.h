// Options of one load-generator run, parsed from the command line.
//
// Thread-safety: a plain value; copied into every worker process.
#ifndef RUNNEL_BENCH_LOADGEN_OPTIONS_H_
#define RUNNEL_BENCH_LOADGEN_OPTIONS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "protocol.h"

namespace runnel::loadgen {

// A WebSocket server to connect to: ws://host:port/path, IPv4 host.
struct ServerUrl {
  std::string host;
  uint16_t port = 0;
  std::string path = "/";
};

// What the pusher posts (see pusher.h).
enum class PushKind {
  kLines,    // Influx line protocol to Grafana Live's push endpoint
  kPublish,  // {"channel":..,"data":..} to Grafana Live's publish endpoint
};

struct Options {
  Protocol protocol = Protocol::kCentrifugeV2;
  // Connection i goes to urls[i % urls.size()]: subscribers spread round
  // robin over the hosts of a cluster.
  std::vector<ServerUrl> urls;
  std::string channel;
  int connections = 1;
  // Source addresses 127.0.0.2 .. 127.0.0.(1 + sources), round robin;
  // 0 binds nothing (the kernel picks 127.0.0.1).
  int sources = 4;
  int procs = 0;  // worker processes; 0 = as few as the file limit allows
  int connect_concurrency = 256;  // handshakes in flight per worker
  double connect_timeout_s = 60;  // give up connecting after this
  double stall_timeout_s = 10;    // ... or after this long without progress
  double warmup_s = 1;            // after all are subscribed, before measuring
  double duration_s = 5;          // the measurement window
  std::vector<pid_t> watch_pids;  // servers whose CPU and RSS to report
  // ... and these with their direct children at each sample (a host and
  // the plugin processes it starts).
  std::vector<pid_t> watch_tree_pids;
  // Processes reported apart from the servers (the Redis of a cluster).
  std::vector<pid_t> watch_broker_pids;
  // Push mode (--push-url or --publish-url): a pusher process posts bodies
  // (line protocol of push_lines lines, or one publication into
  // publish_channel) over push_connections keep-alive connections while
  // the subscribers measure (see pusher.h).
  PushKind push_kind = PushKind::kLines;
  std::string publish_channel;
  std::string push_host;  // IPv4 address
  uint16_t push_port = 0;
  std::string push_target;   // path and query of the push URL
  int push_connections = 0;  // 0: no push mode
  int push_lines = 1000;
  // Delivery pacing: at most push_window x push_connections bodies ahead of
  // the slowest subscriber (sent, not yet received by every subscriber);
  // 0: closed loop on the server's answers alone.
  int push_window = 2;
  // Bodies per second over all connections, on a fixed schedule (also
  // within the window); 0: as fast as the answers and the window allow.
  double push_rate = 0;
  // After the last push, how long to wait for the subscribers to receive
  // every frame before giving up (seconds without progress).
  double drain_timeout_s = 10;
  std::string label;       // copied into the JSON line
  std::string ready_file;  // written once connected, if set
};

// Parses argv. On error returns false and sets *error (usage included).
bool ParseOptions(int argc, char** argv, Options* options, std::string* error);

}  // namespace runnel::loadgen

#endif  // RUNNEL_BENCH_LOADGEN_OPTIONS_H_
