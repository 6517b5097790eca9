// The Runnel testdata plugin: Grafana's TestData streams and random-walk
// queries, served over the pluginv2 protocol. Start it from a plugin host;
// run directly it prints the go-plugin "this binary is a plugin" message.
#include <memory>
#include <utility>

#include "health.h"
#include "query.h"
#include "resources.h"
#include "runnel/serve.h"
#include "running_streams.h"
#include "streams.h"

int main() {
  auto metrics = std::make_shared<runnel::MetricsRegistry>();
  auto running = std::make_shared<runnel::testdata::RunningStreams>(
      &metrics->AddGauge("testdata_streams_running",
                         "RunStream calls running in this plugin."));
  auto streams = std::make_shared<runnel::testdata::Streams>(running);
  runnel::ServeOptions options;
  options.subscribe_stream = streams;
  options.publish_stream = streams;
  options.async_run_stream = streams;
  options.query_data = std::make_shared<runnel::testdata::Query>(
      &metrics->AddCounter("testdata_queries_total", "Queries answered."));
  options.metrics = metrics;
  options.check_health = std::make_shared<runnel::testdata::Health>();
  options.call_resource =
      std::make_shared<runnel::testdata::Resources>(running);
  return runnel::Serve(std::move(options));
}
