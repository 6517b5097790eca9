// Channel ids as Grafana validates them (grafana-plugin-sdk-go live/channel.go;
// docs/plugin-protocol.md#channel-id).
#include "runnel/live_channel.h"

#include <gtest/gtest.h>

#include <string>

namespace runnel {
namespace {

TEST(ParseChannelTest, SplitsIntoThreePartsAtTheFirstTwoSlashes) {
  std::optional<LiveChannel> ch = ParseChannel("aaa/bbb/ccc/ddd");
  ASSERT_TRUE(ch.has_value());
  EXPECT_EQ(ch->scope, "aaa");
  EXPECT_EQ(ch->namespace_, "bbb");
  EXPECT_EQ(ch->path, "ccc/ddd");
  EXPECT_EQ(ch->ToString(), "aaa/bbb/ccc/ddd");
}

TEST(ParseChannelTest, ValidExamples) {
  for (const char* id : {
           "plugin/testdata/random-20Hz-stream",
           "ds/P1234abcd/random-2s-stream",
           "stream/telegraf/cpu",
           "grafana/dashboard/uid/abc-123",
           "grafana/broadcast/some/path",
           "watch/dashboard.grafana.app/dashboards=XYZ/userid",
           "a/b/c",
           "a/b/c/",             // the path may end with a slash
           "a/b/c//d",           // and hold empty segments
           "s.1/n.2/p.3",        // '.' everywhere
           "a_-/b_-/c_-=/.",     // '_' '-' '=' '/'
           "[a]/\\^_`/x[\\]^`",  // the A-z quirk: [ \ ] ^ _ `
           "UPPER/lower/MiXeD09",
       }) {
    std::string error;
    std::optional<LiveChannel> ch = ParseChannel(id, &error);
    EXPECT_TRUE(ch.has_value()) << id << ": " << error;
    if (ch) {
      EXPECT_EQ(ch->ToString(), id);
    }
  }
}

struct InvalidCase {
  const char* id;
  const char* why;  // expected in the error message
};

TEST(ParseChannelTest, InvalidExamplesSayWhy) {
  const InvalidCase cases[] = {
      {"", "empty"},
      {"grafana=/test=/path", "scope has '='"},
      {"grafana/test=/path", "namespace has '='"},
      {"a", "got 1 part"},
      {"a/b", "got 2 part"},
      {"a/b/", "empty path"},
      {"/b/c", "empty scope"},
      {"a//c", "empty namespace"},
      {"//", "empty scope"},
      {"a b/c/d", "scope has ' '"},
      {"a/b c/d", "namespace has ' '"},
      {"a/b/c d", "path has ' '"},
      {"a/b/c,d", "path has ','"},
      {"a/b/c?d", "path has '?'"},
      {"a/b/c\nd", "path has byte 0x0a"},
      {"a/b/\xC3\xA9", "path has byte 0xc3"},
      {"a{/b/c", "scope has '{'"},
      {"a@/b/c", "scope has '@'"},  // just below 'A'
      {"a/b/c~", "path has '~'"},   // just above 'z'
      {"a/b/c:d", "path has ':'"},
  };
  for (const InvalidCase& c : cases) {
    std::string error;
    EXPECT_FALSE(ParseChannel(c.id, &error).has_value()) << c.id;
    EXPECT_EQ(error.rfind("invalid channel ID: ", 0), 0u) << error;
    EXPECT_NE(error.find(c.why), std::string::npos)
        << "id " << c.id << " gave: " << error;
  }
}

TEST(ParseChannelTest, LengthLimitIs160) {
  std::string ok = "plugin/testdata/" + std::string(160 - 16, 'x');
  ASSERT_EQ(ok.size(), 160u);
  EXPECT_TRUE(ParseChannel(ok).has_value());
  std::string too_long = ok + "x";
  std::string error;
  EXPECT_FALSE(ParseChannel(too_long, &error).has_value());
  EXPECT_NE(error.find("161"), std::string::npos) << error;
  EXPECT_NE(error.find("160"), std::string::npos) << error;
}

TEST(ParseChannelTest, ErrorPointerIsOptional) {
  EXPECT_FALSE(ParseChannel("nope").has_value());
  EXPECT_TRUE(ParseChannel("a/b/c").has_value());
}

TEST(ParseOrgChannelTest, StripsAPositiveOrgId) {
  int64_t org = 0;
  std::string error;
  std::optional<LiveChannel> ch =
      ParseOrgChannel("1/plugin/testdata/random-20Hz-stream", &org, &error);
  ASSERT_TRUE(ch.has_value()) << error;
  EXPECT_EQ(org, 1);
  EXPECT_EQ(ch->scope, "plugin");
  EXPECT_EQ(ch->namespace_, "testdata");
  EXPECT_EQ(ch->path, "random-20Hz-stream");

  ch = ParseOrgChannel("9223372036854775807/ds/uid/a/b", &org);
  ASSERT_TRUE(ch.has_value());
  EXPECT_EQ(org, INT64_MAX);
  EXPECT_EQ(ch->path, "a/b");
}

TEST(ParseOrgChannelTest, OrgIdMustBeAPositiveInteger) {
  for (const char* id :
       {"0/a/b/c", "-1/a/b/c", "+1/a/b/c", "01/a/b/c", "x/a/b/c", "/a/b/c",
        "1x/a/b/c", " 1/a/b/c", "9223372036854775808/a/b/c"}) {
    int64_t org = 42;
    std::string error;
    EXPECT_FALSE(ParseOrgChannel(id, &org, &error).has_value()) << id;
    EXPECT_NE(error.find("org id"), std::string::npos) << id << ": " << error;
    EXPECT_EQ(org, 42) << id;
  }
}

TEST(ParseOrgChannelTest, TheChannelPartFollowsTheChannelRules) {
  int64_t org = 0;
  std::string error;
  EXPECT_FALSE(ParseOrgChannel("1", &org, &error).has_value());
  EXPECT_NE(error.find("no '/'"), std::string::npos) << error;
  EXPECT_FALSE(ParseOrgChannel("1/a/b", &org, &error).has_value());
  EXPECT_NE(error.find("got 2 part"), std::string::npos) << error;
  EXPECT_FALSE(
      ParseOrgChannel("1/grafana=/test=/path", &org, &error).has_value());
  EXPECT_TRUE(ParseOrgChannel(
                  "2/watch/dashboard.grafana.app/dashboards=XYZ/userid", &org)
                  .has_value());
  EXPECT_EQ(org, 2);
  // The 160 limit applies to the channel without the org prefix.
  std::string channel = "a/b/" + std::string(156, 'p');
  EXPECT_TRUE(ParseOrgChannel("12/" + channel, &org).has_value());
  EXPECT_FALSE(ParseOrgChannel("12/" + channel + "p", &org).has_value());
}

}  // namespace
}  // namespace runnel
