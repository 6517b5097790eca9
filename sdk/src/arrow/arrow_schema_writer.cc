// Frame schema -> Arrow Schema (arrow_schema.h). Metadata keys and type
// mapping follow grafana-plugin-sdk-go data/arrow.go; keys are written
// sorted, as arrow-go's arrow.MetadataFrom sorts them.
#include <atomic>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "arrow_schema.h"
#include "field_type_names.h"
#include "frame_meta_json.h"
#include "json_escape.h"
#include "runnel/log.h"

namespace runnel::internal {
namespace {

namespace fb = flatbuffers;
using KeyValues = std::vector<std::pair<std::string, std::string>>;

std::atomic<bool> g_warned_meta{false};
std::atomic<bool> g_warned_config{false};

void WarnOnce(std::atomic<bool>& warned, std::string_view message) {
  if (!warned.exchange(true)) log::Warn(message);
}

// Keys must already be sorted.
fb::Offset<fb::Vector<fb::Offset<arrowfb::KeyValue>>> WriteKeyValues(
    fb::FlatBufferBuilder& b, const KeyValues& pairs) {
  std::vector<fb::Offset<arrowfb::KeyValue>> offsets;
  for (const auto& [key, value] : pairs) {
    offsets.push_back(
        arrowfb::CreateKeyValue(b, b.CreateString(key), b.CreateString(value)));
  }
  return b.CreateVector(offsets);
}

std::string LabelsJSON(const Labels& labels) {
  std::string out = "{";
  for (const auto& [key, value] : labels) {
    if (out.size() > 1) out.push_back(',');
    AppendJSONString(key, out);
    out.push_back(':');
    AppendJSONString(value, out);
  }
  out.push_back('}');
  return out;
}

// "config", "labels", "tstype", the keys data/arrow.go buildArrowFields sets.
KeyValues FieldMetadata(const Field& field) {
  KeyValues pairs;
  if (!field.config_json().empty()) {
    std::string config;
    if (AppendMinifiedJSON(field.config_json(), config) && config[0] == '{') {
      pairs.emplace_back("config", std::move(config));
    } else {
      WarnOnce(g_warned_config,
               "field config is not a valid JSON object; it is left out of "
               "the Arrow frame");
    }
  }
  if (!field.labels().empty()) {
    pairs.emplace_back("labels", LabelsJSON(field.labels()));
  }
  pairs.emplace_back("tstype", SimpleTypeName(field.type()));
  return pairs;
}

// The Arrow type of a field type (data/arrow.go fieldToArrow).
std::pair<arrowfb::Type, fb::Offset<void>> WriteArrowType(
    fb::FlatBufferBuilder& b, FieldType type) {
  const auto integer = [&](int bits, bool is_signed) {
    return std::make_pair(arrowfb::Type_Int,
                          arrowfb::CreateInt(b, bits, is_signed).Union());
  };
  switch (type) {
    case FieldType::kInt8:
      return integer(8, true);
    case FieldType::kInt16:
      return integer(16, true);
    case FieldType::kInt32:
      return integer(32, true);
    case FieldType::kInt64:
      return integer(64, true);
    case FieldType::kUint8:
      return integer(8, false);
    case FieldType::kUint16:
    case FieldType::kEnum:
      return integer(16, false);
    case FieldType::kUint32:
      return integer(32, false);
    case FieldType::kUint64:
      return integer(64, false);
    case FieldType::kFloat32:
      return {
          arrowfb::Type_FloatingPoint,
          arrowfb::CreateFloatingPoint(b, arrowfb::Precision_SINGLE).Union()};
    case FieldType::kFloat64:
      return {
          arrowfb::Type_FloatingPoint,
          arrowfb::CreateFloatingPoint(b, arrowfb::Precision_DOUBLE).Union()};
    case FieldType::kString:
      return {arrowfb::Type_Utf8, arrowfb::CreateUtf8(b).Union()};
    case FieldType::kJSON:
      return {arrowfb::Type_Binary, arrowfb::CreateBinary(b).Union()};
    case FieldType::kBool:
      return {arrowfb::Type_Bool, arrowfb::CreateBool(b).Union()};
    case FieldType::kTime:
      break;
  }
  return {arrowfb::Type_Timestamp,
          arrowfb::CreateTimestamp(b, arrowfb::TimeUnit_NANOSECOND).Union()};
}

fb::Offset<arrowfb::Field> WriteField(fb::FlatBufferBuilder& b,
                                      const Field& field) {
  auto name = b.CreateString(field.name());
  auto [type_id, type] = WriteArrowType(b, field.type());
  // An empty children vector, not an absent one: Arrow C++ refuses a field
  // without it.
  auto children = b.CreateVector(std::vector<fb::Offset<arrowfb::Field>>{});
  auto metadata = WriteKeyValues(b, FieldMetadata(field));
  return arrowfb::CreateField(b, name, field.nullable(), type_id, type,
                              /*dictionary=*/0, children, metadata);
}

// "meta" (when set and valid), "name", "refId": buildArrowSchema's keys.
KeyValues SchemaMetadata(const Frame& frame) {
  KeyValues pairs;
  if (!frame.meta_json().empty()) {
    std::string meta;
    if (AppendMetaJSON(frame.meta_json(), meta)) {
      pairs.emplace_back("meta", std::move(meta));
    } else {
      WarnOnce(g_warned_meta,
               "frame meta is not a valid JSON object; it is left out of the "
               "Arrow frame");
    }
  }
  pairs.emplace_back("name", frame.name());
  pairs.emplace_back("refId", frame.ref_id());
  return pairs;
}

}  // namespace

fb::Offset<arrowfb::Schema> WriteArrowSchema(fb::FlatBufferBuilder& builder,
                                             const Frame& frame) {
  std::vector<fb::Offset<arrowfb::Field>> fields;
  for (const Field& field : frame.fields()) {
    fields.push_back(WriteField(builder, field));
  }
  auto fields_vector = builder.CreateVector(fields);
  auto metadata = WriteKeyValues(builder, SchemaMetadata(frame));
  return arrowfb::CreateSchema(builder, arrowfb::Endianness_Little,
                               fields_vector, metadata);
}

}  // namespace runnel::internal
