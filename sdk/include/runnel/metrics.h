// MetricsRegistry: a plugin's own Prometheus counters and gauges, served to
// the host through Diagnostics.CollectMetrics (Grafana scrapes them at
// /metrics/plugins/<id>, and so does Runnel). Set ServeOptions::metrics.
//
//   auto metrics = std::make_shared<runnel::MetricsRegistry>();
//   runnel::Counter& queries =
//       metrics->AddCounter("queries_total", "Queries answered.");
//   runnel::Gauge& streams = metrics->AddGauge(
//       "streams_running", "Streams running.", {{"kind", "ticker"}});
//   queries.Add();   // from any thread
//   streams.Set(3);
//   options.metrics = metrics;
//
// Names that Prometheus would refuse are made valid: each character outside
// [a-zA-Z0-9_:] (and a leading digit) becomes '_', as are label names
// outside [a-zA-Z0-9_]. Series of one name share its HELP and TYPE (the
// first registration's); registering the same name and labels again gives
// the same series.
//
// Thread-safety: Add*, Text and the metrics' methods from any thread.
// Ownership: the registry owns its metrics; references stay valid for its
// lifetime.
#ifndef RUNNEL_METRICS_H_
#define RUNNEL_METRICS_H_

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace runnel {

// A value that only goes up (or is reset by a restart).
class Counter {
 public:
  void Add(double amount = 1);  // negative amounts are ignored
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down.
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double amount);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class MetricsRegistry {
 public:
  using Labels = std::map<std::string, std::string>;

  Counter& AddCounter(const std::string& name, const std::string& help,
                      const Labels& labels = {});
  Gauge& AddGauge(const std::string& name, const std::string& help,
                  const Labels& labels = {});

  // Every metric in Prometheus' text format 0.0.4, families sorted by name.
  std::string Text() const;

 private:
  struct Series {
    std::string label_text;  // {a="b",...} or ""
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
  };
  struct Family {
    std::string help;
    bool is_counter = true;
    std::vector<Series> series;
  };
  Series& FindOrAdd(const std::string& name, const std::string& help,
                    const Labels& labels, bool is_counter);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;  // guarded by mu_
};

}  // namespace runnel

#endif  // RUNNEL_METRICS_H_
