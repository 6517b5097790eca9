// The line protocol parser against the InfluxDB line protocol reference:
// every escape, every field type, every precision, comments, blank lines,
// CRLF, and each error with its line and column.
#include "push/line_protocol.h"

#include <gtest/gtest.h>

#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "point_text.h"

namespace runnel::host {
namespace {

using push_test::PointsText;

struct GoodCase {
  const char* name;
  std::string_view input;
  std::string_view want;
  Precision precision = Precision::kNanoseconds;
};

const GoodCase kGoodCases[] = {
    // Escapes (reference, "Special characters").
    {"measurement_space", R"(my\ Measurement fieldKey="string value")",
     "<my Measurement> <fieldKey>=s:<string value>"},
    {"measurement_comma", R"(m\,x f=1)", "<m,x> <f>=f:1"},
    {"measurement_keeps_escaped_equals", R"(m\=x f=1)", R"(<m\=x> <f>=f:1)"},
    {"measurement_plain_equals", "m=x f=1", "<m=x> <f>=f:1"},
    {"measurement_other_backslash_kept", R"(m\x\ y f=1)", R"(<m\x y> <f>=f:1)"},
    {"tag_escapes", R"(m,tag\ Key1=tag\ Value1,k\,2=v\=2 f=1)",
     "<m>,<tag Key1>=<tag Value1>,<k,2>=<v=2> <f>=f:1"},
    {"tag_last_backslash_escapes", R"(m,a\\,b=c\\ d f=1)",
     R"(<m>,<a\,b>=<c\ d> <f>=f:1)"},
    {"tag_double_backslash_kept", R"(m,t=a\\b f=1)",
     R"(<m>,<t>=<a\\b> <f>=f:1)"},
    {"field_key_escapes", R"(m f\ k\,\==1)", "<m> <f k,=>=f:1"},
    {"quotes_are_part_of_names", R"(joe'sm,"t"='v' "f"=1)",
     R"(<joe'sm>,<"t">=<'v'> <"f">=f:1)"},
    {"emoji",
     "myMeasurement,tagKey=\xF0\x9F\x8D\xAD fieldKey=\"Launch "
     "\xF0\x9F\x9A\x80\" 1556813561098000000",
     "<myMeasurement>,<tagKey>=<\xF0\x9F\x8D\xAD> "
     "<fieldKey>=s:<Launch \xF0\x9F\x9A\x80> @1556813561098000000"},
    // String fields: quote, backslash, n r t; any other escape is kept.
    {"string_escaped_quotes", R"(m f="\"string\" within a string")",
     R"(<m> <f>=s:<"string" within a string>)"},
    {"string_one_backslash", R"(m f="a\b")", R"(<m> <f>=s:<a\b>)"},
    {"string_two_backslashes", R"(m f="a\\b")", R"(<m> <f>=s:<a\b>)"},
    {"string_three_backslashes", R"(m f="a\\\b")", R"(<m> <f>=s:<a\\b>)"},
    {"string_four_backslashes", R"(m f="a\\\\b")", R"(<m> <f>=s:<a\\b>)"},
    {"string_control_escapes", R"(m f="a\nb\tc\rd")", "<m> <f>=s:<a\nb\tc\rd>"},
    {"string_with_separators", R"(m f="a, b=c d")", "<m> <f>=s:<a, b=c d>"},
    {"string_empty", R"(m f="")", "<m> <f>=s:<>"},
    {"string_spans_lines", "m f=\"a\nb\" 1\nm g=1",
     "<m> <f>=s:<a\nb> @1\n<m> <g>=f:1"},
    // Floats, the default numeric type.
    {"float_forms",
     "m a=1,b=1.0,c=-1.234456e+78,d=.5,e=1.,g=1e9,h=2.5E-3,"
     "i=-0.5,j=-.5e1,k=1.e2",
     "<m> <a>=f:1,<b>=f:1,<c>=f:-1.234456e+78,<d>=f:0.5,<e>=f:1,<g>=f:1e+09,"
     "<h>=f:0.0025,<i>=f:-0.5,<j>=f:-5,<k>=f:100"},
    {"float_underflow_is_zero", "m f=1e-400", "<m> <f>=f:0"},
    {"integers",
     "m a=1i,b=-12485903i,c=9223372036854775807i,"
     "d=-9223372036854775808i",
     "<m> <a>=i:1,<b>=i:-12485903,<c>=i:9223372036854775807,"
     "<d>=i:-9223372036854775808"},
    {"unsigned", "m a=0u,b=18446744073709551615u",
     "<m> <a>=u:0,<b>=u:18446744073709551615"},
    {"booleans",
     "m a=t,b=T,c=true,d=True,e=TRUE,f=f,g=F,h=false,i=False,"
     "j=FALSE",
     "<m> <a>=b:true,<b>=b:true,<c>=b:true,<d>=b:true,<e>=b:true,"
     "<f>=b:false,<g>=b:false,<h>=b:false,<i>=b:false,<j>=b:false"},
    // Timestamps and precision.
    {"no_timestamp", "m f=1", "<m> <f>=f:1"},
    {"ns", "m f=1 1556813561098000000", "<m> <f>=f:1 @1556813561098000000"},
    {"us", "m f=1 1556813561098000", "<m> <f>=f:1 @1556813561098000000",
     Precision::kMicroseconds},
    {"ms", "m f=1 1556813561098", "<m> <f>=f:1 @1556813561098000000",
     Precision::kMilliseconds},
    {"s", "m f=1 1556813561", "<m> <f>=f:1 @1556813561000000000",
     Precision::kSeconds},
    {"negative", "m f=1 -1", "<m> <f>=f:1 @-1000000000", Precision::kSeconds},
    {"range_ends", "m f=1 9223372036854775806\nm f=1 -9223372036854775806",
     "<m> <f>=f:1 @9223372036854775806\n<m> <f>=f:1 @-9223372036854775806"},
    // Lines.
    {"comments_and_blank_lines",
     "# a comment\n\n   \n  # indented comment\nm f=1\n\n# end", "<m> <f>=f:1"},
    {"crlf", "m f=1 1\r\nm f=2 2\r\n", "<m> <f>=f:1 @1\n<m> <f>=f:2 @2"},
    {"final_cr", "m f=1\r", "<m> <f>=f:1"},
    {"no_final_newline", "m f=1\nm f=2", "<m> <f>=f:1\n<m> <f>=f:2"},
    {"spaces_around_sections", "  m,t=v   f=1,g=2   3   \n",
     "<m>,<t>=<v> <f>=f:1,<g>=f:2 @3"},
    {"duplicates_kept_in_order", "m,t=a,t=b f=1,f=2",
     "<m>,<t>=<a>,<t>=<b> <f>=f:1,<f>=f:2"},
    {"empty_body", "", ""},
};

class GoodLines : public testing::TestWithParam<GoodCase> {};

TEST_P(GoodLines, Parse) {
  const GoodCase& c = GetParam();
  ParseOptions options;
  options.precision = c.precision;
  PointBatch batch;
  std::optional<ParseError> error = ParseLineProtocol(c.input, options, batch);
  ASSERT_FALSE(error) << error->ToString();
  EXPECT_EQ(PointsText(batch), c.want);
}

INSTANTIATE_TEST_SUITE_P(Spec, GoodLines, testing::ValuesIn(kGoodCases),
                         [](const auto& info) { return info.param.name; });

struct BadCase {
  const char* name;
  std::string_view input;
  int line;
  int column;
  std::string_view message;
  Precision precision = Precision::kNanoseconds;
};

const BadCase kBadCases[] = {
    // Structure.
    {"only_measurement", "m", 1, 2, "missing fields"},
    {"only_tags", "m,t=v", 1, 6, "missing fields"},
    {"only_space", "m ", 1, 3, "missing fields"},
    {"escaped_space_swallows_fields", R"(m\ f=1)", 1, 7, "missing fields"},
    {"no_measurement", ",t=a f=1", 1, 1, "expected measurement, found ','"},
    {"empty_tag_key", "m, f=1", 1, 3, "expected tag key, found ' '"},
    {"tag_without_equals", "m,t f=1", 1, 4,
     "expected '=' after tag key, found ' '"},
    {"empty_tag_value", "m,t= f=1", 1, 5, "expected tag value, found ' '"},
    {"equals_in_tag_value", "m,t=a=b f=1", 1, 6,
     "expected ',' or ' ' after tag value, found '='"},
    {"tab_in_measurement", "m\tx f=1", 1, 2,
     "expected ',' or ' ' after measurement, found byte 0x09"},
    {"empty_field_key", "m =1", 1, 3, "expected field key, found '='"},
    {"field_without_equals", "m f", 1, 4,
     "expected '=' after field key, found end of input"},
    {"trailing_comma", "m f=1,", 1, 7,
     "expected field key, found end of input"},
    {"lone_cr", "m f=1\rm f=2", 1, 6,
     "expected ',' or ' ' after field value, found byte 0x0d"},
    // Field values.
    {"empty_value", "m f=", 1, 5, "expected field value"},
    {"empty_value_before_comma", "m f=,g=1", 1, 5, "expected field value"},
    {"word", "m f=abc", 1, 5, R"(invalid field value "abc")"},
    {"bool_spelling", "m f=tRUE", 1, 5, R"(invalid field value "tRUE")"},
    {"nan", "m f=NaN", 1, 5, R"(invalid field value "NaN")"},
    {"inf", "m f=inf", 1, 5, R"(invalid field value "inf")"},
    {"plus_sign", "m f=+1", 1, 5, R"(invalid field value "+1")"},
    {"two_points", "m f=1.2.3", 1, 5, R"(invalid field value "1.2.3")"},
    {"bare_exponent", "m f=1e", 1, 5, R"(invalid field value "1e")"},
    {"exponent_only", "m f=e5", 1, 5, R"(invalid field value "e5")"},
    {"minus_only", "m f=-", 1, 5, R"(invalid field value "-")"},
    {"trailing_junk", "m f=1x", 1, 5, R"(invalid field value "1x")"},
    {"float_overflow", "m f=1e400", 1, 5, R"(float out of range "1e400")"},
    {"float_integer", "m f=1.5i", 1, 5, R"(invalid integer "1.5i")"},
    {"integer_overflow", "m f=9223372036854775808i", 1, 5,
     R"(integer out of range "9223372036854775808i")"},
    {"integer_underflow", "m f=-9223372036854775809i", 1, 5,
     R"(integer out of range "-9223372036854775809i")"},
    {"negative_unsigned", "m f=-1u", 1, 5, R"(invalid unsigned integer "-1u")"},
    {"unsigned_overflow", "m f=18446744073709551616u", 1, 5,
     R"(unsigned integer out of range "18446744073709551616u")"},
    {"unterminated_string", R"(m f="abc)", 1, 5, "unterminated string"},
    {"escaped_closing_quote", R"(m f="abc\")", 1, 5, "unterminated string"},
    {"junk_after_string", R"(m f="a"x)", 1, 8,
     "expected ',' or ' ' after field value, found 'x'"},
    {"control_bytes_quoted",
     "m f=a\x01"
     "b",
     1, 5, R"(invalid field value "a\x01b")"},
    // Timestamps.
    {"word_timestamp", "m f=1 abc", 1, 7, R"(invalid timestamp "abc")"},
    {"float_timestamp", "m f=1 1.5", 1, 7, R"(invalid timestamp "1.5")"},
    {"minus_timestamp", "m f=1 -", 1, 7, R"(invalid timestamp "-")"},
    {"second_timestamp", "m f=1 1 2", 1, 9,
     "expected end of line after timestamp, found '2'"},
    {"sentinel_max", "m f=1 9223372036854775807", 1, 7,
     R"(timestamp out of range "9223372036854775807")"},
    {"int64_overflow", "m f=1 99999999999999999999", 1, 7,
     R"(timestamp out of range "99999999999999999999")"},
    {"seconds_overflow", "m f=1 9223372037", 1, 7,
     R"(timestamp out of range "9223372037")", Precision::kSeconds},
    // Encoding.
    {"utf8_measurement", "m\xff f=1", 1, 1, "invalid UTF-8 in measurement"},
    {"utf8_tag_value", "m,t=\xc3 f=1", 1, 5, "invalid UTF-8 in tag value"},
    {"utf8_overlong", "m f\xc0\xaf=1", 1, 3, "invalid UTF-8 in field key"},
    {"utf8_string", "m f=\"\xed\xa0\x80\"", 1, 5,
     "invalid UTF-8 in string field"},
    // Line and column after other lines.
    {"third_line", "m f=1\n\n# c\nm f=x", 4, 5, R"(invalid field value "x")"},
    {"crlf_lines", "m f=1\r\nm f=", 2, 5, "expected field value"},
    {"after_multiline_string", "m f=\"a\nb\" x", 2, 4,
     R"(invalid timestamp "x")"},
};

class BadLines : public testing::TestWithParam<BadCase> {};

TEST_P(BadLines, FirstErrorAndNoPoints) {
  const BadCase& c = GetParam();
  ParseOptions options;
  options.precision = c.precision;
  PointBatch batch;
  // A good line first: a body is all or nothing.
  std::string body = std::string("ok f=1\n") + std::string(c.input);
  std::optional<ParseError> error = ParseLineProtocol(body, options, batch);
  ASSERT_TRUE(error) << PointsText(batch);
  EXPECT_EQ(error->line, c.line + 1);
  EXPECT_EQ(error->column, c.column);
  EXPECT_EQ(error->message, c.message);
  EXPECT_TRUE(batch.points().empty());
}

INSTANTIATE_TEST_SUITE_P(Spec, BadLines, testing::ValuesIn(kBadCases),
                         [](const auto& info) { return info.param.name; });

TEST(ParseError, ToString) {
  ParseError error{3, 7, "missing fields"};
  EXPECT_EQ(error.ToString(), "line 3, column 7: missing fields");
}

ParseError ParseWithLimits(std::string_view body, const ParseLimits& limits) {
  ParseOptions options;
  options.limits = limits;
  PointBatch batch;
  std::optional<ParseError> error = ParseLineProtocol(body, options, batch);
  EXPECT_TRUE(error);
  EXPECT_TRUE(batch.points().empty());
  return error.value_or(ParseError{});
}

TEST(Limits, BodyBytes) {
  ParseLimits limits;
  limits.max_body_bytes = 5;
  ParseError error = ParseWithLimits("m f=1\n", limits);
  EXPECT_EQ(error.ToString(),
            "line 1, column 1: body of 6 bytes is larger than the limit of 5");
}

TEST(Limits, Points) {
  ParseLimits limits;
  limits.max_points = 2;
  ParseError error = ParseWithLimits("m f=1\nm f=2\n  m f=3\n", limits);
  EXPECT_EQ(error.ToString(),
            "line 3, column 3: more than 2 points in one body");
}

TEST(Limits, TagsAndFields) {
  ParseLimits limits;
  limits.max_tags_per_point = 2;
  limits.max_fields_per_point = 2;
  EXPECT_EQ(ParseWithLimits("m,a=1,b=2,c=3 f=1", limits).ToString(),
            "line 1, column 11: more than 2 tags");
  EXPECT_EQ(ParseWithLimits("m a=1,b=2,c=3", limits).ToString(),
            "line 1, column 11: more than 2 fields");
}

TEST(Limits, StringBytesAfterUnescaping) {
  ParseLimits limits;
  limits.max_string_bytes = 3;
  PointBatch batch;
  ParseOptions options;
  options.limits = limits;
  EXPECT_FALSE(ParseLineProtocol(R"(m f="\"\"\"")", options, batch));
  EXPECT_EQ(
      ParseWithLimits(R"(m f="abcd")", limits).ToString(),
      "line 1, column 5: string of 4 bytes is longer than the limit of 3");
}

bool Inside(std::string_view view, std::string_view body) {
  return view.data() >= body.data() &&
         view.data() + view.size() <= body.data() + body.size();
}

TEST(Views, PlainTextViewsTheBodyEscapedTextDoesNot) {
  std::string body = R"(plain,t=v\ w f="x",g="a\"b")";
  PointBatch batch;
  ASSERT_FALSE(ParseLineProtocol(body, {}, batch));
  const Point& point = batch.points()[0];
  EXPECT_TRUE(Inside(point.measurement, body));
  EXPECT_TRUE(Inside(batch.tags(point)[0].key, body));
  EXPECT_FALSE(Inside(batch.tags(point)[0].value, body));
  EXPECT_TRUE(Inside(batch.fields(point)[0].value.string_value, body));
  EXPECT_FALSE(Inside(batch.fields(point)[1].value.string_value, body));
}

TEST(Views, SurviveAMoveAndReuse) {
  std::string small = R"(a\ b f=1)";  // unescaped text short enough for SSO
  PointBatch batch;
  ASSERT_FALSE(ParseLineProtocol(small, {}, batch));
  PointBatch moved = std::move(batch);
  EXPECT_EQ(PointsText(moved), "<a b> <f>=f:1");

  std::string larger = "x,k=v\\,w f=2\ny,k=1 f=\"q\\\"\"";
  ASSERT_FALSE(ParseLineProtocol(larger, {}, moved));
  EXPECT_EQ(PointsText(moved),
            "<x>,<k>=<v,w> <f>=f:2\n<y>,<k>=<1> <f>=s:<q\">");
}

}  // namespace
}  // namespace runnel::host
