// A poor man's fuzz of the frame encoder: random frames are encoded, parsed
// back with nlohmann::json, and every schema entry and value is compared with
// what went in (times rebuilt from ms + nanos, NaN/Inf from entities).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "runnel/frame.h"
#include "runnel/frame_json.h"

namespace runnel {
namespace {

using nlohmann::json;

class RandomFrames {
 public:
  explicit RandomFrames(uint64_t seed) : rng_(seed) {}

  Frame Make() {
    Frame frame(Maybe(3) ? "" : Text());
    if (Maybe(2)) frame.set_ref_id(Text());
    if (Maybe(3)) frame.set_meta_json(R"({"custom":{"n":1}})");
    size_t fields = Below(6);
    for (size_t i = 0; i < fields; ++i) {
      Labels labels;
      if (Maybe(3)) {
        for (size_t k = Below(3); k > 0; --k) labels[Text()] = Text();
      }
      Field& f = frame.AddField(Maybe(5) ? "" : Text(),
                                static_cast<FieldType>(Below(5)), Maybe(2),
                                std::move(labels));
      if (Maybe(4)) f.set_config_json(R"({"unit":"ms"})");
    }
    size_t rows = Below(8);
    for (size_t r = 0; r < rows; ++r) {
      for (Field& f : frame.fields()) f.Append(Value(f));
    }
    return frame;
  }

 private:
  size_t Below(size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
  }
  bool Maybe(size_t one_in) { return Below(one_in) == 0; }

  // Valid UTF-8 with the characters that need escaping mixed in.
  std::string Text() {
    static const char* const kPieces[] = {"a",
                                          "Z",
                                          " ",
                                          "\"",
                                          "\\",
                                          "/",
                                          "\n",
                                          "\r",
                                          "\t",
                                          "\x01",
                                          "\x1f",
                                          "<",
                                          ">",
                                          "&",
                                          "\x7f",
                                          "\xC3\xA9",
                                          "\xE2\x82\xAC",
                                          "\xE2\x80\xA8",
                                          "\xE2\x80\xA9",
                                          "\xF0\x9F\x98\x80",
                                          "\\u0000",
                                          "{",
                                          "]",
                                          ":",
                                          ","};
    std::string s;
    for (size_t n = Below(6); n > 0; --n)
      s += kPieces[Below(std::size(kPieces))];
    return s;
  }

  double Double() {
    switch (Below(8)) {
      case 0:
        return std::numeric_limits<double>::quiet_NaN();
      case 1:
        return Maybe(2) ? std::numeric_limits<double>::infinity()
                        : -std::numeric_limits<double>::infinity();
      case 2:
        return static_cast<double>(static_cast<int64_t>(Below(1000)) - 500);
      case 3: {
        uint64_t bits = rng_();
        double v;
        std::memcpy(&v, &bits, sizeof v);
        return std::isfinite(v) ? v : 0.0;
      }
      default:
        return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
    }
  }

  int64_t Int() {
    switch (Below(4)) {
      case 0:
        return std::numeric_limits<int64_t>::min();
      case 1:
        return std::numeric_limits<int64_t>::max();
      default:
        return static_cast<int64_t>(rng_());
    }
  }

  Field::Value Value(const Field& f) {
    if (f.nullable() && Maybe(4)) return {};
    switch (f.type()) {
      case FieldType::kTime:
        // Whole milliseconds half the time, so frames without nanos occur.
        return Timestamp{Maybe(2) ? (Int() / 1'000'000) * 1'000'000 : Int()};
      case FieldType::kFloat64:
        return Double();
      case FieldType::kInt64:
        return Int();
      case FieldType::kString:
        return Text();
      case FieldType::kBool:
        return Maybe(2);
      default:  // only the types above are generated
        break;
    }
    return {};
  }

  std::mt19937_64 rng_;
};

const char* SimpleType(FieldType t) {
  switch (t) {
    case FieldType::kTime:
      return "time";
    case FieldType::kFloat64:
    case FieldType::kInt64:
      return "number";
    case FieldType::kString:
      return "string";
    case FieldType::kBool:
      return "boolean";
    default:  // only the five types above are generated
      break;
  }
  return "";
}

// Compares the parsed JSON with the frame; returns "" or the first mismatch.
std::string Compare(const Frame& frame, const json& doc) {
  const json& schema = doc.at("schema");
  if (frame.name().empty() != !schema.contains("name")) return "name presence";
  if (!frame.name().empty() && schema["name"] != frame.name()) return "name";
  if (!frame.ref_id().empty() && schema.at("refId") != frame.ref_id())
    return "refId";
  if (!frame.meta_json().empty() &&
      schema.at("meta") !=
          json::parse(R"({"typeVersion":[0,0],"custom":{"n":1}})"))
    return "meta";
  const json& fields = schema.at("fields");
  if (fields.size() != frame.fields().size()) return "field count";
  const json& data = doc.at("data");
  const json& values = data.at("values");
  if (values.size() != frame.fields().size()) return "values count";
  for (size_t i = 0; i < frame.fields().size(); ++i) {
    const Field& f = frame.fields()[i];
    const json& fs = fields[i];
    std::string at = "field " + std::to_string(i) + ": ";
    if (!f.name().empty() && fs.at("name") != f.name()) return at + "name";
    if (fs.at("type") != SimpleType(f.type())) return at + "type";
    if (fs.at("typeInfo").value("nullable", false) != f.nullable())
      return at + "nullable";
    if (!f.labels().empty() &&
        fs.at("labels").get<std::map<std::string, std::string>>() != f.labels())
      return at + "labels";
    if (!f.config_json().empty() &&
        fs.at("config") != json::parse(f.config_json()))
      return at + "config";
    const json& column = values[i];
    if (column.size() != f.size()) return at + "row count";
    for (size_t row = 0; row < f.size(); ++row) {
      std::string where = at + "row " + std::to_string(row) + ": ";
      const json& v = column[row];
      if (f.IsNull(row)) {
        if (!v.is_null()) return where + "want null";
        continue;
      }
      switch (f.type()) {
        case FieldType::kTime: {
          int64_t nanos = 0;
          if (data.contains("nanos") && !data["nanos"][i].is_null())
            nanos = data["nanos"][i][row].get<int64_t>();
          // ms * 1e6 + nanos, computed without overflow near the limits.
          __int128 got =
              static_cast<__int128>(v.get<int64_t>()) * 1'000'000 + nanos;
          if (got != f.TimeAt(row).unix_nanos) return where + "time";
          break;
        }
        case FieldType::kFloat64: {
          double want = f.Float64At(row);
          if (std::isfinite(want)) {
            if (v.get<double>() != want) return where + "float " + v.dump();
            break;
          }
          if (!v.is_null()) return where + "entity not null";
          const char* key = std::isnan(want) ? "NaN"
                            : want > 0       ? "Inf"
                                             : "NegInf";
          const json& rows = data.at("entities").at(i).at(key);
          if (std::find(rows.begin(), rows.end(), json(row)) == rows.end())
            return where + "entity row missing";
          break;
        }
        case FieldType::kInt64:
          if (v.get<int64_t>() != f.Int64At(row)) return where + "int64";
          break;
        case FieldType::kString:
          if (v.get<std::string>() != f.StringAt(row)) return where + "string";
          break;
        case FieldType::kBool:
          if (v.get<bool>() != f.BoolAt(row)) return where + "bool";
          break;
        default:
          return where + "type not generated by this test";
      }
    }
  }
  return "";
}

TEST(FrameJSONRoundTripTest, RandomFramesParseBackToTheSameValues) {
  RandomFrames random(20261122);
  std::string buffer;  // reused, as a sender's hot loop would
  for (int i = 0; i < 3000; ++i) {
    Frame frame = random.Make();
    buffer.clear();
    AppendFrameJSON(frame, FrameInclude::kAll, buffer);
    for (char c : buffer) {
      ASSERT_GE(static_cast<unsigned char>(c), 0x20)
          << "raw control byte in " << buffer;
    }
    json doc = json::parse(buffer, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(doc.is_discarded()) << buffer;
    ASSERT_EQ(Compare(frame, doc), "") << buffer;
    // The other modes are the same two parts.
    EXPECT_EQ(json::parse(FrameToJSON(frame, FrameInclude::kDataOnly)),
              json({{"data", doc["data"]}}));
    EXPECT_EQ(json::parse(FrameToJSON(frame, FrameInclude::kSchemaOnly)),
              json({{"schema", doc["schema"]}}));
  }
}

}  // namespace
}  // namespace runnel
