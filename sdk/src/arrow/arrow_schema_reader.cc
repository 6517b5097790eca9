// Arrow Schema -> Frame schema (arrow_schema.h): data/arrow.go
// initializeFrameFields and populateFrameFromSchema, with every type and
// metadata value checked, since the schema comes from another process.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "arrow_schema.h"

namespace runnel::internal {
namespace {

namespace fb = flatbuffers;
using nlohmann::json;

// The value of key in metadata, or nullptr. The first pair with the key wins,
// as arrow-go's Metadata.FindKey finds the first.
const fb::String* FindKey(
    const fb::Vector<fb::Offset<arrowfb::KeyValue>>* metadata,
    std::string_view key) {
  if (metadata == nullptr) return nullptr;
  for (const arrowfb::KeyValue* pair : *metadata) {
    if (pair->key() != nullptr && pair->key()->string_view() == key) {
      return pair->value();
    }
  }
  return nullptr;
}

std::string Quoted(std::string_view name) {
  std::string out = "\"";
  out.append(name);
  out.push_back('"');
  return out;
}

Status IntegerType(const arrowfb::Int& type, bool is_enum, FieldType* out) {
  const bool s = type.is_signed();
  switch (type.bit_width()) {
    case 8:
      *out = s ? FieldType::kInt8 : FieldType::kUint8;
      return Status::Ok();
    case 16:
      *out = s ? FieldType::kInt16
               : (is_enum ? FieldType::kEnum : FieldType::kUint16);
      return Status::Ok();
    case 32:
      *out = s ? FieldType::kInt32 : FieldType::kUint32;
      return Status::Ok();
    case 64:
      *out = s ? FieldType::kInt64 : FieldType::kUint64;
      return Status::Ok();
  }
  return Status::InvalidArgument("Arrow Int of " +
                                 std::to_string(type.bit_width()) + " bits");
}

Status FloatType(const arrowfb::FloatingPoint& type, FieldType* out) {
  switch (type.precision()) {
    case arrowfb::Precision_SINGLE:
      *out = FieldType::kFloat32;
      return Status::Ok();
    case arrowfb::Precision_DOUBLE:
      *out = FieldType::kFloat64;
      return Status::Ok();
    default:
      return Status::InvalidArgument("Arrow half floats are not supported");
  }
}

Status TimeUnitNanos(arrowfb::TimeUnit unit, int64_t* nanos) {
  switch (unit) {
    case arrowfb::TimeUnit_SECOND:
      *nanos = 1'000'000'000;
      return Status::Ok();
    case arrowfb::TimeUnit_MILLISECOND:
      *nanos = 1'000'000;
      return Status::Ok();
    case arrowfb::TimeUnit_MICROSECOND:
      *nanos = 1'000;
      return Status::Ok();
    case arrowfb::TimeUnit_NANOSECOND:
      *nanos = 1;
      return Status::Ok();
  }
  return Status::InvalidArgument("Arrow Timestamp unit " +
                                 std::to_string(static_cast<int>(unit)));
}

// The frame type of an Arrow field (data/arrow.go initializeFrameField, plus
// Timestamp units other than nanoseconds, which Go assumes).
Status FieldTypeOf(const arrowfb::Field& field, FieldType* type,
                   ArrowColumn* column) {
  // The verifier accepts a field whose type table is missing; Arrow does not.
  if (field.type() == nullptr) return Status::InvalidArgument("no type");
  switch (field.type_type()) {
    case arrowfb::Type_Int: {
      const fb::String* tstype = FindKey(field.custom_metadata(), "tstype");
      bool is_enum = tstype != nullptr && tstype->string_view() == "enum";
      return IntegerType(*field.type_as_Int(), is_enum, type);
    }
    case arrowfb::Type_FloatingPoint:
      return FloatType(*field.type_as_FloatingPoint(), type);
    case arrowfb::Type_Utf8:
      *type = FieldType::kString;
      return Status::Ok();
    case arrowfb::Type_Binary:
      *type = FieldType::kJSON;
      return Status::Ok();
    case arrowfb::Type_Bool:
      *type = FieldType::kBool;
      return Status::Ok();
    case arrowfb::Type_Timestamp:
      *type = FieldType::kTime;
      return TimeUnitNanos(field.type_as_Timestamp()->unit(),
                           &column->nanos_per_unit);
    default:
      return Status::InvalidArgument("Arrow type id " +
                                     std::to_string(field.type_type()) +
                                     " is not a Grafana frame field type");
  }
}

Status ReadLabels(std::string_view text, Labels* labels) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::InvalidArgument("labels: not an object");
  for (const auto& [key, value] : j.items()) {
    if (!value.is_string()) {
      return Status::InvalidArgument("labels: value of " + Quoted(key) +
                                     " is not a string");
    }
    (*labels)[key] = value.get<std::string>();
  }
  return Status::Ok();
}

// Labels and config from the field metadata (tstype was used for the type).
Status ReadFieldMetadata(const arrowfb::Field& arrow_field, Field* field) {
  const auto* metadata = arrow_field.custom_metadata();
  if (const fb::String* labels = FindKey(metadata, "labels")) {
    Labels parsed;
    Status status = ReadLabels(labels->string_view(), &parsed);
    if (!status.ok()) return status;
    field->set_labels(std::move(parsed));
  }
  if (const fb::String* config = FindKey(metadata, "config")) {
    if (!json::parse(config->string_view(), nullptr, false).is_object()) {
      return Status::InvalidArgument("config: not a JSON object");
    }
    field->set_config_json(config->str());
  }
  return Status::Ok();
}

Status ReadField(const arrowfb::Field& arrow_field, Frame* frame,
                 ArrowColumn* column) {
  std::string name =
      arrow_field.name() != nullptr ? arrow_field.name()->str() : "";
  if (arrow_field.dictionary() != nullptr) {
    return Status::InvalidArgument(
        "dictionary-encoded Arrow fields are not "
        "supported");
  }
  if (arrow_field.children() != nullptr && arrow_field.children()->size()) {
    return Status::InvalidArgument("nested Arrow fields are not supported");
  }
  FieldType type;
  Status status = FieldTypeOf(arrow_field, &type, column);
  if (!status.ok()) return status;
  Field& field = frame->AddField(std::move(name), type, arrow_field.nullable());
  return ReadFieldMetadata(arrow_field, &field);
}

// Name, refId and meta from the schema metadata.
Status ReadFrameMetadata(const arrowfb::Schema& schema, Frame* frame) {
  const auto* metadata = schema.custom_metadata();
  std::string name, ref_id;
  if (const fb::String* v = FindKey(metadata, "name")) name = v->str();
  if (const fb::String* v = FindKey(metadata, "refId")) ref_id = v->str();
  *frame = Frame(std::move(name));
  frame->set_ref_id(std::move(ref_id));
  if (const fb::String* meta = FindKey(metadata, "meta")) {
    if (!json::parse(meta->string_view(), nullptr, false).is_object()) {
      return Status::InvalidArgument("schema meta: not a JSON object");
    }
    frame->set_meta_json(meta->str());
  }
  return Status::Ok();
}

}  // namespace

Status ReadArrowSchema(const arrowfb::Schema& schema, Frame* frame,
                       std::vector<ArrowColumn>* columns) {
  if (schema.endianness() != arrowfb::Endianness_Little) {
    return Status::InvalidArgument("big-endian Arrow data is not supported");
  }
  Status status = ReadFrameMetadata(schema, frame);
  if (!status.ok()) return status;
  columns->clear();
  if (schema.fields() == nullptr) return Status::Ok();
  for (const arrowfb::Field* arrow_field : *schema.fields()) {
    ArrowColumn& column = columns->emplace_back();
    status = ReadField(*arrow_field, frame, &column);
    if (!status.ok()) {
      return Status::InvalidArgument("field " +
                                     std::to_string(columns->size() - 1) +
                                     ": " + status.message());
    }
  }
  return Status::Ok();
}

}  // namespace runnel::internal
