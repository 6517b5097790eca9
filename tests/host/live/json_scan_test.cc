#include "live/json_scan.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace runnel::host::json_scan {
namespace {

TEST(JSONScanTest, SkipValueFindsTheEndOfEachKind) {
  const std::string text = R"(["s\"]}", -1.5e3, true, {"a":[{}]}, null])";
  std::vector<std::string> values;
  size_t pos = 1;
  while (text[pos] != ']') {
    pos = SkipSpace(text, pos);
    const size_t end = SkipValue(text, pos);
    values.push_back(text.substr(pos, end - pos));
    pos = SkipSpace(text, end);
    if (text[pos] == ',') ++pos;
  }
  EXPECT_EQ(values, (std::vector<std::string>{R"("s\"]}")", "-1.5e3", "true",
                                              R"({"a":[{}]})", "null"}));
}

TEST(JSONScanTest, SkipValueWalksAMillionLevelsWithoutRecursion) {
  const std::string deep =
      std::string(1 << 20, '[') + std::string(1 << 20, ']');
  EXPECT_EQ(SkipValue(deep + ",", 0), deep.size());
}

TEST(JSONScanTest, ForEachMemberGivesRawKeysAndValues) {
  std::vector<std::pair<std::string, std::string>> members;
  EXPECT_TRUE(ForEachMember(R"( { "a" : 1 , "b\u0063":{"x":[1,2]},"d":"}" } )",
                            0,
                            [&](std::string_view key, std::string_view value) {
                              members.emplace_back(key, value);
                            }));
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[0],
            std::make_pair(std::string(R"("a")"), std::string("1")));
  EXPECT_EQ(members[1].first, R"("b\u0063")");
  EXPECT_EQ(members[1].second, R"({"x":[1,2]})");
  EXPECT_EQ(members[2].second, R"("}")");
  EXPECT_FALSE(
      ForEachMember("[1]", 0, [](std::string_view, std::string_view) {}));
}

TEST(JSONScanTest, StringValueUnescapes) {
  EXPECT_EQ(StringValue(R"("plain")"), "plain");
  EXPECT_EQ(StringValue(R"("b\u0063\/\n")"), "bc/\n");
  EXPECT_EQ(StringValue("1"), std::nullopt);
  EXPECT_EQ(StringValue(R"({"a":1})"), std::nullopt);
}

}  // namespace
}  // namespace runnel::host::json_scan
