// FrameMeta <-> meta JSON (frame_meta.h), and the meta writer both frame
// encoders share (frame_meta_json.h). Member names and order follow
// grafana-plugin-sdk-go data/frame_meta.go.
#include "runnel/frame_meta.h"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "frame_meta_json.h"
#include "json_escape.h"

namespace runnel {
namespace internal {
namespace {

// Skips one value of minified, valid JSON starting at s[i]; returns the
// index just past it.
size_t SkipMinifiedValue(std::string_view s, size_t i) {
  int depth = 0;
  bool in_string = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
        if (depth == 0) return i + 1;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '{':
      case '[':
        ++depth;
        break;
      case '}':
      case ']':
        if (depth == 0) return i;  // end of the enclosing container
        if (--depth == 0) return i + 1;
        break;
      case ',':
      case ':':
        if (depth == 0) return i;
        break;
      default:
        break;
    }
  }
  return i;
}

}  // namespace

bool AppendMetaJSON(std::string_view meta, std::string& out) {
  size_t start = out.size();
  if (!internal::AppendMinifiedJSON(meta, out)) return false;
  if (out[start] != '{') {
    out.resize(start);
    return false;
  }
  std::string_view obj(out.data() + start, out.size() - start);
  bool has_type_version = false;
  size_t after_type = 0;  // offset in obj just past the "type" member's value
  size_t members = 0;
  size_t i = 1;
  while (i < obj.size() && obj[i] == '"') {
    size_t key_end = SkipMinifiedValue(obj, i);
    std::string_view key = obj.substr(i, key_end - i);
    size_t value_end = SkipMinifiedValue(obj, key_end + 1);  // past ':'
    if (key == "\"typeVersion\"") has_type_version = true;
    if (key == "\"type\"") after_type = value_end;
    ++members;
    i = value_end + 1;  // past ',' or '}'
  }
  if (has_type_version) return true;
  if (after_type != 0) {
    out.insert(start + after_type, ",\"typeVersion\":[0,0]");
  } else {
    out.insert(start + 1, members > 0 ? "\"typeVersion\":[0,0],"
                                      : "\"typeVersion\":[0,0]");
  }
  return true;
}

}  // namespace internal

namespace {

using internal::AppendJSONInt64;
using internal::AppendJSONString;

const char* SeverityName(NoticeSeverity severity) {
  switch (severity) {
    case NoticeSeverity::kWarning:
      return "warning";
    case NoticeSeverity::kError:
      return "error";
    case NoticeSeverity::kInfo:
      break;
  }
  return "info";
}

// Appends ,"key":"value" (or "key":"value" first) unless value is empty:
// Go's omitempty.
void AppendStringMember(const char* key, const std::string& value,
                        std::string& out) {
  if (value.empty()) return;
  out.append(",\"").append(key).append("\":");
  AppendJSONString(value, out);
}

void AppendNotice(const Notice& notice, std::string& out) {
  out.append("{\"severity\":\"").append(SeverityName(notice.severity));
  out.append("\",\"text\":");
  AppendJSONString(notice.text, out);
  AppendStringMember("link", notice.link, out);
  if (notice.inspect != InspectType::kNone) {
    out.append(",\"inspect\":");
    AppendJSONInt64(static_cast<int64_t>(notice.inspect), out);
  }
  out.push_back('}');
}

}  // namespace

std::string FrameMetaToJSON(const FrameMeta& meta) {
  std::string out = "{";
  if (!meta.type.empty()) {
    out.append("\"type\":");
    AppendJSONString(meta.type, out);
    out.push_back(',');
  }
  out.append("\"typeVersion\":[");
  AppendJSONInt64(meta.type_version[0], out);
  out.push_back(',');
  AppendJSONInt64(meta.type_version[1], out);
  out.push_back(']');
  AppendStringMember("path", meta.path, out);
  AppendStringMember("pathSeparator", meta.path_separator, out);
  if (!meta.custom_json.empty()) {
    size_t mark = out.size();
    out.append(",\"custom\":");
    if (!internal::AppendMinifiedJSON(meta.custom_json, out)) out.resize(mark);
  }
  if (!meta.notices.empty()) {
    out.append(",\"notices\":[");
    for (size_t i = 0; i < meta.notices.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendNotice(meta.notices[i], out);
    }
    out.push_back(']');
  }
  AppendStringMember("channel", meta.channel, out);
  AppendStringMember("preferredVisualisationType",
                     meta.preferred_visualisation_type, out);
  AppendStringMember("preferredVisualisationPluginId",
                     meta.preferred_visualisation_plugin_id, out);
  AppendStringMember("executedQueryString", meta.executed_query_string, out);
  AppendStringMember("dataTopic", meta.data_topic, out);
  out.push_back('}');
  return out;
}

namespace {

using nlohmann::json;

// Reads obj[key] into *out when present; false when it is not a string.
bool ReadString(const json& obj, const char* key, std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

Status ReadNotice(const json& j, Notice* notice) {
  if (!j.is_object()) {
    return Status::InvalidArgument("frame meta notice is not an object");
  }
  std::string severity = "info";
  if (!ReadString(j, "severity", &severity) ||
      !ReadString(j, "text", &notice->text) ||
      !ReadString(j, "link", &notice->link)) {
    return Status::InvalidArgument("frame meta notice member is not a string");
  }
  if (severity == "info") {
    notice->severity = NoticeSeverity::kInfo;
  } else if (severity == "warning") {
    notice->severity = NoticeSeverity::kWarning;
  } else if (severity == "error") {
    notice->severity = NoticeSeverity::kError;
  } else {
    return Status::InvalidArgument("unrecognized notice severity \"" +
                                   severity + "\"");
  }
  auto inspect = j.find("inspect");
  if (inspect != j.end() && !inspect->is_null()) {
    if (!inspect->is_number_integer() || *inspect < 0 || *inspect > 4) {
      return Status::InvalidArgument("frame meta notice inspect is not 0..4");
    }
    notice->inspect = static_cast<InspectType>(inspect->get<int>());
  }
  return Status::Ok();
}

Status ReadTypeVersion(const json& obj, std::array<uint32_t, 2>* version) {
  auto it = obj.find("typeVersion");
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_array() || it->size() != 2 || !(*it)[0].is_number_unsigned() ||
      !(*it)[1].is_number_unsigned() || (*it)[0] > UINT32_MAX ||
      (*it)[1] > UINT32_MAX) {
    return Status::InvalidArgument(
        "frame meta typeVersion is not [major, minor]");
  }
  (*version)[0] = (*it)[0].get<uint32_t>();
  (*version)[1] = (*it)[1].get<uint32_t>();
  return Status::Ok();
}

}  // namespace

Status FrameMetaFromJSON(std::string_view text, FrameMeta* meta) {
  json obj = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!obj.is_object()) {
    return Status::InvalidArgument("frame meta is not a JSON object");
  }
  FrameMeta result;
  if (!ReadString(obj, "type", &result.type) ||
      !ReadString(obj, "path", &result.path) ||
      !ReadString(obj, "pathSeparator", &result.path_separator) ||
      !ReadString(obj, "channel", &result.channel) ||
      !ReadString(obj, "preferredVisualisationType",
                  &result.preferred_visualisation_type) ||
      !ReadString(obj, "preferredVisualisationPluginId",
                  &result.preferred_visualisation_plugin_id) ||
      !ReadString(obj, "executedQueryString", &result.executed_query_string) ||
      !ReadString(obj, "dataTopic", &result.data_topic)) {
    return Status::InvalidArgument("frame meta member is not a string");
  }
  Status status = ReadTypeVersion(obj, &result.type_version);
  if (!status.ok()) return status;
  auto custom = obj.find("custom");
  if (custom != obj.end() && !custom->is_null()) {
    result.custom_json = custom->dump();
  }
  auto notices = obj.find("notices");
  if (notices != obj.end() && !notices->is_null()) {
    if (!notices->is_array()) {
      return Status::InvalidArgument("frame meta notices is not an array");
    }
    for (const json& j : *notices) {
      Status s = ReadNotice(j, &result.notices.emplace_back());
      if (!s.ok()) return s;
    }
  }
  *meta = std::move(result);
  return Status::Ok();
}

void SetFrameMeta(Frame& frame, const FrameMeta& meta) {
  frame.set_meta_json(FrameMetaToJSON(meta));
}

}  // namespace runnel
