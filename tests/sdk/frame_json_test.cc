// Frame JSON: expectations written by hand from the encoder rules of
// docs/plugin-protocol.md#frame-json (key order, omitted keys, epoch-ms times
// with "nanos", NaN/Inf as null + "entities", include modes).
#include "runnel/frame_json.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "json_escape.h"
#include "runnel/frame.h"

namespace runnel {
namespace {

using nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Frame TestdataFrame() {
  Frame frame("testdata");
  frame.AddField("Time", FieldType::kTime);
  frame.AddField("Value", FieldType::kFloat64);
  frame.AddField("Min", FieldType::kFloat64);
  frame.AddField("Max", FieldType::kFloat64);
  return frame;
}

// The schema-only example of docs/plugin-protocol.md#frame-json-examples.
constexpr char kReferenceSchemaExample[] =
    R"({"schema":{"name":"testdata","fields":[
  {"name":"Time","type":"time","typeInfo":{"frame":"time.Time"}},
  {"name":"Value","type":"number","typeInfo":{"frame":"float64"}},
  {"name":"Min","type":"number","typeInfo":{"frame":"float64"}},
  {"name":"Max","type":"number","typeInfo":{"frame":"float64"}}]}})";

TEST(FrameJSONTest, TestdataSchemaOnlyMatchesReference) {
  std::string got = FrameToJSON(TestdataFrame(), FrameInclude::kSchemaOnly);
  EXPECT_EQ(json::parse(got), json::parse(kReferenceSchemaExample));
  // Byte for byte, which also pins the key order.
  EXPECT_EQ(
      got,
      R"({"schema":{"name":"testdata","fields":[)"
      R"({"name":"Time","type":"time","typeInfo":{"frame":"time.Time"}},)"
      R"({"name":"Value","type":"number","typeInfo":{"frame":"float64"}},)"
      R"({"name":"Min","type":"number","typeInfo":{"frame":"float64"}},)"
      R"({"name":"Max","type":"number","typeInfo":{"frame":"float64"}}]}})");
}

TEST(FrameJSONTest, TestdataDataOnlyRowWithNanosMatchesReference) {
  Frame frame = TestdataFrame();
  ASSERT_TRUE(
      frame.AppendRow({Timestamp{1'700'000'000'123'456'789}, 52.1, 30.7, 77.9})
          .ok());
  EXPECT_EQ(FrameToJSON(frame, FrameInclude::kDataOnly),
            R"({"data":{"values":[[1700000000123],[52.1],[30.7],[77.9]],)"
            R"("nanos":[[456789],null,null,null]}})");
}

TEST(FrameJSONTest, IncludeModes) {
  Frame frame("f");
  frame.AddField("v", FieldType::kInt64);
  ASSERT_TRUE(frame.AppendRow({int64_t{1}}).ok());
  const std::string schema =
      R"({"name":"f","fields":[{"name":"v","type":"number","typeInfo":{"frame":"int64"}}]})";
  const std::string data = R"({"values":[[1]]})";
  EXPECT_EQ(FrameToJSON(frame, FrameInclude::kAll),
            R"({"schema":)" + schema + R"(,"data":)" + data + "}");
  EXPECT_EQ(FrameToJSON(frame, FrameInclude::kSchemaOnly),
            R"({"schema":)" + schema + "}");
  EXPECT_EQ(FrameToJSON(frame, FrameInclude::kDataOnly),
            R"({"data":)" + data + "}");
  // Like Go's FrameJSON.Bytes for neither part.
  EXPECT_EQ(FrameToJSON(frame, static_cast<FrameInclude>(0)), "{}");
}

TEST(FrameJSONTest, AppendsToCallersBuffer) {
  Frame frame;
  frame.AddField("", FieldType::kBool);
  std::string out = "prefix:";
  AppendFrameJSON(frame, FrameInclude::kDataOnly, out);
  AppendFrameJSON(frame, FrameInclude::kDataOnly, out);
  EXPECT_EQ(out, R"(prefix:{"data":{"values":[[]]}}{"data":{"values":[[]]}})");
}

TEST(FrameJSONTest, EmptyFrame) {
  EXPECT_EQ(FrameToJSON(Frame(), FrameInclude::kAll),
            R"({"schema":{"fields":[]},"data":{"values":[]}})");
}

TEST(FrameJSONTest, EmptyNamesAreOmittedAndRefIdFollowsName) {
  Frame frame;
  frame.set_ref_id("A");
  frame.AddField("", FieldType::kString);
  EXPECT_EQ(FrameToJSON(frame, FrameInclude::kSchemaOnly),
            R"({"schema":{"refId":"A","fields":[)"
            R"({"type":"string","typeInfo":{"frame":"string"}}]}})");
  Frame named("n");
  named.set_ref_id("B");
  EXPECT_EQ(FrameToJSON(named, FrameInclude::kSchemaOnly),
            R"({"schema":{"name":"n","refId":"B","fields":[]}})");
}

TEST(FrameJSONTest, NoNanosWhenAllTimesAreWholeMilliseconds) {
  Frame frame;
  frame.AddField("t", FieldType::kTime);
  ASSERT_TRUE(frame.AppendRow({Timestamp{1'000'000}}).ok());
  ASSERT_TRUE(frame.AppendRow({Timestamp{-3'000'000}}).ok());
  EXPECT_EQ(FrameToJSON(frame, FrameInclude::kDataOnly),
            R"({"data":{"values":[[1,-3]]}})");
}

TEST(FrameJSONTest, NanosListEveryRowOfATimeFieldThatNeedsThem) {
  Frame frame;
  frame.AddField("t", FieldType::kTime);
  frame.AddField("u", FieldType::kTime);  // whole milliseconds only: null
  frame.AddField("n", FieldType::kTime, /*nullable=*/true);
  ASSERT_TRUE(frame.AppendRow({Timestamp{5'000'000}, Timestamp{0}, {}}).ok());
  ASSERT_TRUE(
      frame
          .AppendRow({Timestamp{5'000'001}, Timestamp{7'000'000}, Timestamp{1}})
          .ok());
  // Before the epoch, milliseconds round down and the extra stays positive.
  ASSERT_TRUE(
      frame.AppendRow({Timestamp{-1}, Timestamp{0}, Timestamp{2'999'999}})
          .ok());
  EXPECT_EQ(FrameToJSON(frame, FrameInclude::kDataOnly),
            R"({"data":{"values":[[5,5,-1],[0,7,0],[null,0,2]],)"
            R"("nanos":[[0,1,999999],null,[0,1,999999]]}})");
}

TEST(FrameJSONTest, NaNAndInfinityBecomeNullPlusEntities) {
  Frame frame;
  frame.AddField("t", FieldType::kTime);
  frame.AddField("v", FieldType::kFloat64);
  frame.AddField("w", FieldType::kFloat64);
  ASSERT_TRUE(frame.AppendRow({Timestamp{0}, 1.5, kInf}).ok());
  ASSERT_TRUE(frame.AppendRow({Timestamp{0}, kNaN, 2.0}).ok());
  ASSERT_TRUE(frame.AppendRow({Timestamp{0}, kInf, 3.0}).ok());
  ASSERT_TRUE(frame.AppendRow({Timestamp{0}, -kInf, 4.0}).ok());
  ASSERT_TRUE(frame.AppendRow({Timestamp{0}, kNaN, 5.0}).ok());
  EXPECT_EQ(
      FrameToJSON(frame, FrameInclude::kDataOnly),
      R"({"data":{"values":[[0,0,0,0,0],[1.5,null,null,null,null],[null,2,3,4,5]],)"
      R"("entities":[null,{"NaN":[1,4],"Inf":[2],"NegInf":[3]},{"Inf":[0]}]}})");
}

TEST(FrameJSONTest, NullableFloatWithNaNAsInReference) {
  Frame frame;
  frame.AddField("t", FieldType::kTime);
  frame.AddField("v", FieldType::kFloat64, /*nullable=*/true);
  ASSERT_TRUE(frame.AppendRow({Timestamp{1'000'000}, 1.5}).ok());
  ASSERT_TRUE(frame.AppendRow({Timestamp{2'000'000}, kNaN}).ok());
  ASSERT_TRUE(frame.AppendRow({Timestamp{3'000'000}, {}}).ok());
  EXPECT_EQ(
      FrameToJSON(frame, FrameInclude::kAll),
      R"({"schema":{"fields":[)"
      R"({"name":"t","type":"time","typeInfo":{"frame":"time.Time"}},)"
      R"({"name":"v","type":"number","typeInfo":{"frame":"float64","nullable":true}}]},)"
      R"("data":{"values":[[1,2,3],[1.5,null,null]],)"
      R"("entities":[null,{"NaN":[1]}]}})");
}

TEST(FrameJSONTest, EntitiesComeBeforeNanos) {
  Frame frame;
  frame.AddField("t", FieldType::kTime);
  frame.AddField("v", FieldType::kFloat64);
  ASSERT_TRUE(frame.AppendRow({Timestamp{1'000'500}, -kInf}).ok());
  EXPECT_EQ(
      FrameToJSON(frame, FrameInclude::kDataOnly),
      R"({"data":{"values":[[1],[null]],"entities":[null,{"NegInf":[0]}],)"
      R"("nanos":[[500],null]}})");
}

TEST(FrameJSONTest, NullableFieldsOfEveryType) {
  Frame frame;
  frame.AddField("t", FieldType::kTime, true);
  frame.AddField("f", FieldType::kFloat64, true);
  frame.AddField("i", FieldType::kInt64, true);
  frame.AddField("s", FieldType::kString, true);
  frame.AddField("b", FieldType::kBool, true);
  ASSERT_TRUE(frame.AppendRow({{}, {}, {}, {}, {}}).ok());
  ASSERT_TRUE(frame
                  .AppendRow({Timestamp{4'000'000}, 0.5, int64_t{-2},
                              std::string("x"), false})
                  .ok());
  EXPECT_EQ(
      FrameToJSON(frame, FrameInclude::kAll),
      R"({"schema":{"fields":[)"
      R"({"name":"t","type":"time","typeInfo":{"frame":"time.Time","nullable":true}},)"
      R"({"name":"f","type":"number","typeInfo":{"frame":"float64","nullable":true}},)"
      R"({"name":"i","type":"number","typeInfo":{"frame":"int64","nullable":true}},)"
      R"({"name":"s","type":"string","typeInfo":{"frame":"string","nullable":true}},)"
      R"({"name":"b","type":"boolean","typeInfo":{"frame":"bool","nullable":true}}]},)"
      R"("data":{"values":[[null,4],[null,0.5],[null,-2],[null,"x"],[null,false]]}})");
}

TEST(FrameJSONTest, Int64AndBool) {
  Frame frame;
  frame.AddField("i", FieldType::kInt64);
  frame.AddField("b", FieldType::kBool);
  ASSERT_TRUE(
      frame.AppendRow({std::numeric_limits<int64_t>::min(), true}).ok());
  ASSERT_TRUE(frame.AppendRow({int64_t{0}, false}).ok());
  ASSERT_TRUE(
      frame.AppendRow({std::numeric_limits<int64_t>::max(), true}).ok());
  EXPECT_EQ(
      FrameToJSON(frame, FrameInclude::kDataOnly),
      R"({"data":{"values":[[-9223372036854775808,0,9223372036854775807],)"
      R"([true,false,true]]}})");
}

TEST(FrameJSONTest, LabelsSortedByKeyAndOmittedWhenEmpty) {
  Frame frame;
  frame.AddField("v", FieldType::kFloat64, false,
                 {{"host", "b\"1"}, {"b", "2"}, {"a", ""}});
  frame.AddField("w", FieldType::kFloat64, false, {});
  EXPECT_EQ(
      FrameToJSON(frame, FrameInclude::kSchemaOnly),
      R"({"schema":{"fields":[)"
      R"({"name":"v","type":"number","typeInfo":{"frame":"float64"},)"
      R"("labels":{"a":"","b":"2","host":"b\"1"}},)"
      R"({"name":"w","type":"number","typeInfo":{"frame":"float64"}}]}})");
}

TEST(FrameJSONTest, ConfigIsWrittenMinifiedAfterLabels) {
  Frame frame;
  Field& v = frame.AddField("v", FieldType::kFloat64, true, {{"k", "v"}});
  v.set_config_json(
      "{ \"unit\" : \"ms\",\n  \"decimals\": 2,\"custom\":{\"a\":[1, 2.5e3, "
      "true, null]} }");
  EXPECT_EQ(
      FrameToJSON(frame, FrameInclude::kSchemaOnly),
      R"({"schema":{"fields":[{"name":"v","type":"number",)"
      R"("typeInfo":{"frame":"float64","nullable":true},"labels":{"k":"v"},)"
      R"("config":{"unit":"ms","decimals":2,"custom":{"a":[1,2.5e3,true,null]}}}]}})");
}

TEST(FrameJSONTest, InvalidOrNonObjectConfigIsLeftOut) {
  for (const char* bad :
       {"{\"unit\":", "[1]", "\"ms\"", "{\"a\":1} x", "{\"a\":\"\n\"}"}) {
    Frame frame;
    frame.AddField("v", FieldType::kFloat64).set_config_json(bad);
    EXPECT_EQ(FrameToJSON(frame, FrameInclude::kSchemaOnly),
              R"({"schema":{"fields":[{"name":"v","type":"number",)"
              R"("typeInfo":{"frame":"float64"}}]}})")
        << bad;
  }
}

std::string SchemaWithMeta(const std::string& meta_json) {
  Frame frame("f");
  frame.set_ref_id("A");
  frame.set_meta_json(meta_json);
  return FrameToJSON(frame, FrameInclude::kSchemaOnly);
}

TEST(FrameJSONTest, MetaAlwaysCarriesTypeVersion) {
  EXPECT_EQ(
      SchemaWithMeta("{}"),
      R"({"schema":{"name":"f","refId":"A","meta":{"typeVersion":[0,0]},"fields":[]}})");
  // Inserted after "type", where Go's FrameMeta struct puts it.
  EXPECT_EQ(
      SchemaWithMeta(R"({"type":"timeseries-wide","custom":{"type":1}})"),
      R"({"schema":{"name":"f","refId":"A","meta":{"type":"timeseries-wide",)"
      R"("typeVersion":[0,0],"custom":{"type":1}},"fields":[]}})");
  EXPECT_EQ(SchemaWithMeta(R"({"channel":"x","type":"table"})"),
            R"({"schema":{"name":"f","refId":"A","meta":{"channel":"x",)"
            R"("type":"table","typeVersion":[0,0]},"fields":[]}})");
  // Else first; a nested "typeVersion" does not count.
  EXPECT_EQ(SchemaWithMeta("{\n  \"custom\": {\"typeVersion\": [9, 9]}\n}"),
            R"({"schema":{"name":"f","refId":"A","meta":{"typeVersion":[0,0],)"
            R"("custom":{"typeVersion":[9,9]}},"fields":[]}})");
  // The author's own typeVersion is kept.
  EXPECT_EQ(
      SchemaWithMeta(R"({"type":"numeric-wide","typeVersion":[0,1]})"),
      R"({"schema":{"name":"f","refId":"A","meta":{"type":"numeric-wide",)"
      R"("typeVersion":[0,1]},"fields":[]}})");
}

TEST(FrameJSONTest, InvalidMetaIsLeftOut) {
  for (const char* bad : {"{", "[]", "null", "{\"a\":1,}", "{'a':1}"}) {
    EXPECT_EQ(SchemaWithMeta(bad),
              R"({"schema":{"name":"f","refId":"A","fields":[]}})")
        << bad;
  }
  Frame frame;
  frame.set_meta_json("nope");
  EXPECT_EQ(FrameToJSON(frame, FrameInclude::kSchemaOnly),
            R"({"schema":{"fields":[]}})");
}

TEST(FrameJSONTest, StringsAreEscapedLikeGo) {
  Frame frame;
  frame.AddField("s", FieldType::kString);
  const std::string tricky =
      "q\"b\\n\nr\rt\tc\x01\x1f<>&\x7f"
      "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"  // é € 😀 stay as they are
      "\xE2\x80\xA8\xE2\x80\xA9"              // so do U+2028 U+2029
      "\xFF\xC3";                             // invalid UTF-8
  ASSERT_TRUE(frame.AppendRow({tricky}).ok());
  std::string got = FrameToJSON(frame, FrameInclude::kDataOnly);
  EXPECT_EQ(got,
            "{\"data\":{\"values\":[[\"q\\\"b\\\\n\\nr\\rt\\tc\\u0001\\u001f"
            "<>&\x7f\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
            "\xE2\x80\xA8\xE2\x80\xA9\\ufffd\\ufffd\"]]}}");
  for (char c : got) EXPECT_GE(static_cast<unsigned char>(c), 0x20);
  EXPECT_EQ(json::parse(got)["data"]["values"][0][0].get<std::string>(),
            "q\"b\\n\nr\rt\tc\x01\x1f<>&\x7f\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98"
            "\x80\xE2\x80\xA8\xE2\x80\xA9\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(FrameJSONTest, InvalidUtf8FormsAreReplacedBytewise) {
  auto escaped = [](std::string_view s) {
    std::string out;
    internal::AppendJSONString(s, out);
    return out;
  };
  EXPECT_EQ(escaped("\xC0\x80"), R"("\ufffd\ufffd")");            // overlong
  EXPECT_EQ(escaped("\xED\xA0\x80"), R"("\ufffd\ufffd\ufffd")");  // surrogate
  EXPECT_EQ(escaped("\xF4\x90\x80\x80"),
            R"("\ufffd\ufffd\ufffd\ufffd")");           // above U+10FFFF
  EXPECT_EQ(escaped("\xE2\x82"), R"("\ufffd\ufffd")");  // truncated
  EXPECT_EQ(escaped("\xF4\x8F\xBF\xBF"), "\"\xF4\x8F\xBF\xBF\"");  // U+10FFFF
  EXPECT_EQ(escaped(std::string_view("a\0b", 3)), R"("a\u0000b")");
  EXPECT_EQ(escaped(""), R"("")");
}

TEST(FrameJSONTest, NamesAndLabelsAreEscapedToo) {
  Frame frame("a\nb");
  frame.set_ref_id("<A>");
  frame.AddField("x\"y", FieldType::kBool, false, {{"k\t", "v\\"}});
  EXPECT_EQ(FrameToJSON(frame, FrameInclude::kSchemaOnly),
            R"({"schema":{"name":"a\nb","refId":"<A>","fields":[)"
            R"({"name":"x\"y","type":"boolean","typeInfo":{"frame":"bool"},)"
            R"("labels":{"k\t":"v\\"}}]}})");
}

std::string Float(double v) {
  std::string out;
  internal::AppendJSONFloat64(v, out);
  return out;
}

TEST(FrameJSONTest, FloatsUseGoShortestFormatting) {
  EXPECT_EQ(Float(52), "52");
  EXPECT_EQ(Float(52.1), "52.1");
  EXPECT_EQ(Float(-30.7), "-30.7");
  EXPECT_EQ(Float(0), "0");
  EXPECT_EQ(Float(-0.0), "-0");
  EXPECT_EQ(Float(0.1), "0.1");
  EXPECT_EQ(Float(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(Float(1e-6), "0.000001");
  EXPECT_EQ(Float(0.000001234), "0.000001234");
  EXPECT_EQ(Float(9.99e-7), "9.99e-07");
  EXPECT_EQ(Float(1e-7), "1e-07");
  EXPECT_EQ(Float(1e20), "100000000000000000000");
  EXPECT_EQ(Float(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(Float(1e21), "1e+21");
  EXPECT_EQ(Float(-1.5e300), "-1.5e+300");
  EXPECT_EQ(Float(5e-324), "5e-324");
  EXPECT_EQ(Float(std::numeric_limits<double>::max()),
            "1.7976931348623157e+308");
  EXPECT_EQ(Float(1234.5678), "1234.5678");
  EXPECT_EQ(Float(9007199254740993.0), "9007199254740992");
}

TEST(FrameJSONTest, WholeNumbersAreWrittenAsTheFixedFormWrites) {
  // Whole numbers below 2^53 take an integer fast path; it must give the
  // very text of to_chars' shortest fixed form (Go's 'f', -1).
  std::mt19937_64 rng(11);
  std::vector<double> values = {1,
                                -1,
                                10,
                                1e15,
                                -1e15,
                                0x1p53 - 1,
                                -(0x1p53 - 1),
                                0x1p53,
                                4503599627370497.0};
  for (int i = 0; i < 100000; ++i) {
    double v = static_cast<double>(rng() >> (11 + rng() % 53));
    values.push_back(rng() % 2 ? -v : v);
  }
  for (double v : values) {
    char fixed[40];
    auto end =
        std::to_chars(fixed, fixed + sizeof fixed, v, std::chars_format::fixed);
    ASSERT_EQ(Float(v), std::string(fixed, end.ptr));
  }
}

TEST(FrameJSONTest, ShortDecimalsAreWrittenAsTheFixedFormWrites) {
  // Numbers of up to 6 decimals below 1e9 take a fast path; it must give
  // the very text of to_chars' shortest fixed form (Go's 'f', -1), and
  // numbers just outside it (more decimals, larger, smaller) must too.
  std::mt19937_64 rng(29);
  std::vector<double> values = {
      0.07, 12.5,        -3.25,      1e-6,      -1e-6,       0.1,        0.2,
      0.3,  999999999.5, 1e9 - 1e-6, 1e9 + 0.5, 0.000001234, 123.456789, 5e-7};
  for (int i = 0; i < 200000; ++i) {
    const int decimals = 1 + static_cast<int>(rng() % 8);
    const double scale = std::pow(10.0, decimals);
    const auto units = static_cast<int64_t>(rng() % 2000000000000);
    double v = static_cast<double>(units) / scale;
    if (i % 4 == 3) {
      // Any double of the fast path's magnitudes, most of them with more
      // digits than it takes.
      v = std::ldexp(static_cast<double>(rng() >> 11),
                     static_cast<int>(rng() % 50) - 72);
    }
    values.push_back(rng() % 2 ? -v : v);
  }
  for (double v : values) {
    if (v == std::trunc(v) || std::fabs(v) < 1e-6) continue;
    char fixed[40];
    auto end =
        std::to_chars(fixed, fixed + sizeof fixed, v, std::chars_format::fixed);
    ASSERT_EQ(Float(v), std::string(fixed, end.ptr)) << v;
  }
}

TEST(FrameJSONTest, FloatsRoundTrip) {
  uint64_t state = 88172645463325252ull;
  for (int i = 0; i < 20000; ++i) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    double v;
    std::memcpy(&v, &state, sizeof v);
    if (!std::isfinite(v)) continue;
    std::string s = Float(v);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
    EXPECT_EQ(json::parse(s).get<double>(), v) << s;
  }
}

// The significant digits of a number's text: no sign, point, exponent, or
// leading/trailing zeros ("-0.00120" and "1.2e-03" both give "12").
std::string SignificantDigits(std::string text) {
  std::string digits;
  for (char c : text.substr(0, text.find('e'))) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return "0";
  size_t last = digits.find_last_not_of('0');
  return digits.substr(first, last - first + 1);
}

TEST(FrameJSONTest, PlainNotationUsesTheShortestRoundTripDigits) {
  // Go prints the shortest round-trip digits, whatever the notation; the
  // exponent form of std::to_chars is the shortest by definition.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    double v = std::ldexp(static_cast<double>(rng() >> 11),
                          static_cast<int>(rng() % 140) - 103);  // ~1e-15..1e21
    if (rng() % 2) v = -v;
    char sci[40];
    auto end =
        std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific);
    std::string ours = Float(v);
    ASSERT_EQ(SignificantDigits(ours),
              SignificantDigits(std::string(sci, end.ptr)))
        << ours << " vs " << std::string(sci, end.ptr);
    ASSERT_EQ(std::strtod(ours.c_str(), nullptr), v) << ours;
  }
}

TEST(FrameJSONTest, MinifierAcceptsJSONAndRejectsTheRest) {
  auto minify = [](std::string_view in) -> std::string {
    std::string out = "x";
    if (!internal::AppendMinifiedJSON(in, out)) {
      EXPECT_EQ(out, "x");  // unchanged on failure
      return "<invalid>";
    }
    return out.substr(1);
  };
  EXPECT_EQ(minify(" { \"a\" : [ 1 , -0.5e-3 , \"s p\" , {} , [] ] } "),
            R"({"a":[1,-0.5e-3,"s p",{},[]]})");
  EXPECT_EQ(minify("\"\\u00e9\\n\""), "\"\\u00e9\\n\"");
  EXPECT_EQ(minify("true"), "true");
  EXPECT_EQ(minify("[1e-400,1e308,123456789012345678901234567890]"),
            "[1e-400,1e308,123456789012345678901234567890]");
  EXPECT_EQ(minify(R"("\ud83d\ude00")"), R"("\ud83d\ude00")");
  EXPECT_EQ(minify("\"\xC3\xA9\""), "\"\xC3\xA9\"");
  const std::string kHugeInteger(400, '9');  // beyond double's range
  for (const char* bad : {"",
                          " ",
                          "{",
                          "}",
                          "[1,]",
                          "{\"a\"}",
                          "{\"a\":}",
                          "01",
                          "1.",
                          "-",
                          "1e",
                          ".5",
                          "+1",
                          "tru",
                          "nul",
                          "\"a",
                          "\"\\x\"",
                          "\"\\u12\"",
                          "\"\t\"",
                          "[1] [2]",
                          "{a:1}",
                          "NaN",
                          "\"\xFF\"",
                          "1e400",
                          "-1.8e308",
                          kHugeInteger.c_str(),
                          R"("\ud83d")",
                          R"("\ude00")",
                          R"("\ud83dx")",
                          R"("\ud83d\u0041")"}) {
    EXPECT_EQ(minify(bad), "<invalid>") << bad;
  }
  EXPECT_EQ(minify(std::string(256, '[') + std::string(256, ']')),
            std::string(256, '[') + std::string(256, ']'));
  EXPECT_EQ(minify(std::string(257, '[') + std::string(257, ']')), "<invalid>");
}

}  // namespace
}  // namespace runnel
