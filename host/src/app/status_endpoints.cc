#include "app/status_endpoints.h"

#include <nlohmann/json.hpp>
#include <sstream>

namespace runnel::host {
namespace {

// Escapes a Prometheus label value (backslash, quote, newline).
std::string LabelValue(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void Metric(std::ostringstream& out, const char* name, const char* type,
            const char* help, uint64_t value) {
  out << "# HELP " << name << ' ' << help << '\n'
      << "# TYPE " << name << ' ' << type << '\n'
      << name << ' ' << value << '\n';
}

}  // namespace

std::vector<PluginSnapshot> SnapshotPlugins(const PluginRegistry& registry) {
  std::vector<PluginSnapshot> out;
  for (const Supervisor* plugin : registry.All()) {
    PluginSnapshot s;
    s.id = plugin->id();
    s.aliases = plugin->manifest().alias_ids;
    s.state = std::string(PluginStateName(plugin->state()));
    s.pid = plugin->pid();
    s.restarts = plugin->restarts();
    s.last_error = plugin->last_error();
    out.push_back(std::move(s));
  }
  return out;
}

std::string HealthJSON(const std::vector<PluginSnapshot>& plugins,
                       const EngineHealth& engine, const std::string& version) {
  nlohmann::json body;
  const char* status = engine.degraded ? "degraded" : "ok";
  body["status"] = status;
  body["version"] = version;
  body["engine"] = {{"name", engine.name}, {"status", status}};
  if (!engine.message.empty()) body["engine"]["message"] = engine.message;
  body["plugins"] = nlohmann::json::array();
  for (const PluginSnapshot& p : plugins) {
    nlohmann::json item;
    item["id"] = p.id;
    item["aliases"] = p.aliases;
    item["state"] = p.state;
    item["pid"] = p.pid;
    item["restarts"] = p.restarts;
    if (!p.last_error.empty()) item["lastError"] = p.last_error;
    body["plugins"].push_back(std::move(item));
  }
  return body.dump();
}

std::string DataSourcesJSON(const std::vector<DataSource>& data_sources) {
  nlohmann::json list = nlohmann::json::array();
  for (const DataSource& ds : data_sources) {
    nlohmann::json item;
    item["id"] = ds.id;
    item["uid"] = ds.uid;
    item["orgId"] = 1;
    item["name"] = ds.name;
    item["type"] = ds.type;
    item["url"] = ds.url;
    item["isDefault"] = ds.is_default;
    // Provisioning already checked it; an unparsable value shows as {}.
    item["jsonData"] = nlohmann::json::parse(ds.json_data, nullptr, false);
    if (item["jsonData"].is_discarded())
      item["jsonData"] = nlohmann::json::object();
    item["readOnly"] = true;  // provisioned
    list.push_back(std::move(item));
  }
  return list.dump();
}

namespace {

void LiveMetrics(std::ostringstream& out, const LiveStats& live,
                 const HubCounters& hub) {
  Metric(out, "runnel_live_connections", "gauge",
         "Open Grafana Live WebSocket connections.", live.connections);
  Metric(out, "runnel_live_connections_total", "counter",
         "WebSocket connections accepted since start.", live.connections_total);
  Metric(out, "runnel_live_subscriptions", "gauge",
         "Channel subscriptions, summed over channels.", live.subscriptions);
  Metric(out, "runnel_live_channels", "gauge",
         "Channels with at least one subscriber.", live.channels);
  Metric(out, "runnel_live_publications_in_total", "counter",
         "Publications into the hub.", live.publications_in);
  Metric(out, "runnel_live_publications_out_total", "counter",
         "Messages handed to client writers (one per subscriber).",
         live.messages_out);
  Metric(out, "runnel_live_slow_disconnects_total", "counter",
         "Clients closed with 3008 because their queue was full.",
         live.slow_disconnects);
  Metric(out, "runnel_live_publications_refused_total", "counter",
         "Publications refused for being over max_publication_size.",
         hub.publications_refused);
}

void PluginMetrics(std::ostringstream& out,
                   const std::vector<PluginSnapshot>& plugins) {
  out << "# HELP runnel_plugin_up Whether the plugin process is running.\n"
      << "# TYPE runnel_plugin_up gauge\n";
  for (const PluginSnapshot& p : plugins) {
    out << "runnel_plugin_up{plugin=\"" << LabelValue(p.id) << "\"} "
        << (p.state == "running" ? 1 : 0) << '\n';
  }
  out << "# HELP runnel_plugin_restarts_total Plugin process restarts.\n"
      << "# TYPE runnel_plugin_restarts_total counter\n";
  for (const PluginSnapshot& p : plugins) {
    out << "runnel_plugin_restarts_total{plugin=\"" << LabelValue(p.id)
        << "\"} " << p.restarts << '\n';
  }
}

void StreamMetrics(std::ostringstream& out, const StreamStats& streams) {
  Metric(out, "runnel_streams", "gauge", "Channels with a running RunStream.",
         streams.channels.size());
  Metric(out, "runnel_streams_followed", "gauge",
         "Channels subscribed here whose RunStream another host runs.",
         streams.followed.size());
  Metric(out, "runnel_stream_starts_total", "counter",
         "RunStream calls started for a new channel.",
         streams.runstream_starts);
  Metric(out, "runnel_stream_restarts_total", "counter",
         "RunStream calls run again after an error or a plugin restart.",
         streams.runstream_restarts);
  Metric(out, "runnel_stream_packets_total", "counter",
         "Packets received from RunStream calls.", streams.packets);
  Metric(out, "runnel_stream_invalid_packets_total", "counter",
         "RunStream packets that were not JSON.", streams.invalid_packets);
  out << "# HELP runnel_stream_refused_total Subscribes refused instead of "
         "starting a RunStream.\n"
      << "# TYPE runnel_stream_refused_total counter\n";
  const std::pair<const char*, uint64_t> refused[] = {
      {"rate", streams.refused_rate},
      {"plugin_limit", streams.refused_plugin_limit},
      {"host_limit", streams.refused_host_limit},
      {"start_failed", streams.start_failures}};
  for (const auto& [reason, count] : refused) {
    out << "runnel_stream_refused_total{reason=\"" << reason << "\"} " << count
        << '\n';
  }
}

}  // namespace

std::string MetricsText(const LiveStats& live, const HubCounters& hub,
                        const StreamStats& streams,
                        const std::vector<PluginSnapshot>& plugins,
                        const EngineHealth& engine) {
  std::ostringstream out;
  LiveMetrics(out, live, hub);
  PluginMetrics(out, plugins);
  StreamMetrics(out, streams);
  out << "# HELP runnel_engine_degraded 1 when the hosts cannot reach each "
         "other (Redis down); this host then serves its own clients only.\n"
      << "# TYPE runnel_engine_degraded gauge\n"
      << "runnel_engine_degraded{engine=\"" << LabelValue(engine.name) << "\"} "
      << (engine.degraded ? 1 : 0) << '\n';
  return out.str();
}

}  // namespace runnel::host
