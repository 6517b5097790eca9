#include "runnel/metrics.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace runnel {
namespace {

// Prometheus metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; label names the same
// without ':'. Anything else becomes '_'.
std::string ValidName(const std::string& name, bool colon_allowed) {
  std::string out = name.empty() ? "_" : name;
  for (size_t i = 0; i < out.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(out[i]);
    const bool ok = std::isalpha(c) || c == '_' ||
                    (colon_allowed && c == ':') || (i > 0 && std::isdigit(c));
    if (!ok) out[i] = '_';
  }
  return out;
}

// Label values and HELP text escape '\\' and newlines (and '"' in values).
std::string Escaped(const std::string& text, bool quote) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string LabelText(const MetricsRegistry::Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out.push_back(',');
    out += ValidName(name, /*colon_allowed=*/false) + "=\"" +
           Escaped(value, /*quote=*/true) + "\"";
  }
  out.push_back('}');
  return out;
}

void AppendValue(double value, std::string& out) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto result = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, result.ptr);
  }
}

void AtomicAdd(std::atomic<double>& value, double amount) {
  double old = value.load(std::memory_order_relaxed);
  while (!value.compare_exchange_weak(old, old + amount,
                                      std::memory_order_relaxed)) {
  }
}

}  // namespace

void Counter::Add(double amount) {
  if (amount > 0) AtomicAdd(value_, amount);
}

void Gauge::Add(double amount) { AtomicAdd(value_, amount); }

MetricsRegistry::Series& MetricsRegistry::FindOrAdd(const std::string& name,
                                                    const std::string& help,
                                                    const Labels& labels,
                                                    bool is_counter) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string valid = ValidName(name, /*colon_allowed=*/true);
  // A gauge registered under a counter's name would break the family's
  // TYPE: it gets a family of its own.
  while (families_.count(valid) != 0 &&
         families_[valid].is_counter != is_counter) {
    valid += is_counter ? "_counter" : "_gauge";
  }
  auto [it, created] = families_.try_emplace(valid);
  Family& family = it->second;
  if (created) {
    family.help = help;
    family.is_counter = is_counter;
  }
  const std::string label_text = LabelText(labels);
  for (Series& series : family.series) {
    if (series.label_text == label_text) return series;
  }
  Series series;
  series.label_text = label_text;
  if (is_counter) {
    series.counter = std::make_unique<Counter>();
  } else {
    series.gauge = std::make_unique<Gauge>();
  }
  family.series.push_back(std::move(series));
  return family.series.back();
}

Counter& MetricsRegistry::AddCounter(const std::string& name,
                                     const std::string& help,
                                     const Labels& labels) {
  return *FindOrAdd(name, help, labels, /*is_counter=*/true).counter;
}

Gauge& MetricsRegistry::AddGauge(const std::string& name,
                                 const std::string& help,
                                 const Labels& labels) {
  return *FindOrAdd(name, help, labels, /*is_counter=*/false).gauge;
}

std::string MetricsRegistry::Text() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + Escaped(family.help, /*quote=*/false) +
           "\n# TYPE " + name + (family.is_counter ? " counter\n" : " gauge\n");
    for (const Series& series : family.series) {
      out += name + series.label_text + " ";
      AppendValue(
          series.counter ? series.counter->value() : series.gauge->value(),
          out);
      out.push_back('\n');
    }
  }
  return out;
}

}  // namespace runnel
