// Provisioning YAML that would expand without bound is refused before it is
// loaded, with the file and line, as Go's yaml.v3 refuses it; ordinary use
// of anchors still loads.
#include "config/yaml_limits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/provisioning.h"

namespace runnel::host {
namespace {

using ::testing::HasSubstr;

// The classic "billion laughs": 9 levels, each 9 aliases of the one above,
// in jsonData, where the host would turn it into JSON.
std::string BillionLaughs() {
  std::string yaml =
      "apiVersion: 1\n"
      "datasources:\n"
      "  - name: Laughs\n"
      "    type: testdata\n"
      "    jsonData:\n"
      "      a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\","
      "\"lol\",\"lol\"]\n";
  for (char level = 'b'; level <= 'i'; ++level) {
    const char below = static_cast<char>(level - 1);
    yaml += std::string("      ") + level + ": &" + level + " [";
    for (int i = 0; i < 9; ++i) {
      yaml += std::string(i == 0 ? "" : ",") + "*" + below;
    }
    yaml += "]\n";
  }
  return yaml;
}

TEST(YamlLimitsTest, BillionLaughsIsRefusedNamingFileAndLine) {
  std::vector<DataSource> out;
  Status status = ParseDataSourcesYaml(BillionLaughs(), "laughs.yaml", &out);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("laughs.yaml:"));
  EXPECT_THAT(status.message(),
              HasSubstr("document contains excessive aliasing"));
  EXPECT_TRUE(out.empty());
}

TEST(YamlLimitsTest, ModerateAliasingLoads) {
  // Anchors reused a few times, as people do for shared jsonData.
  std::string yaml =
      "apiVersion: 1\n"
      "shared: &shared {timeInterval: 1s, keep: [1, 2, 3]}\n"
      "datasources:\n";
  for (int i = 0; i < 20; ++i) {
    yaml += "  - name: ds" + std::to_string(i) +
            "\n    type: testdata\n    jsonData: *shared\n";
  }
  std::vector<DataSource> out;
  Status status = ParseDataSourcesYaml(yaml, "shared.yaml", &out);
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(out.size(), 20u);
  EXPECT_EQ(out[19].json_data, R"({"keep":[1,2,3],"timeInterval":"1s"})");
}

TEST(YamlLimitsTest, AliasInsideItsOwnAnchorIsRefused) {
  // yaml-cpp loads this as a node that contains itself, which the JSON
  // conversion of jsonData would follow for ever.
  std::vector<DataSource> out;
  Status status = ParseDataSourcesYaml(
      "apiVersion: 1\n"
      "datasources:\n"
      "  - name: Loop\n"
      "    type: testdata\n"
      "    jsonData: &loop {self: *loop}\n",
      "cycle.yaml", &out);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(),
              HasSubstr("cycle.yaml:5: anchor 'loop' value contains itself"));
}

TEST(YamlLimitsTest, ExcessiveNestingIsRefusedWithoutACrash) {
  std::string deep(20000, '[');
  deep += std::string(20000, ']') + "\n";
  std::vector<DataSource> out;
  Status status = ParseDataSourcesYaml(deep, "deep.yaml", &out);
  ASSERT_FALSE(status.ok());  // by yaml-cpp's own depth limit
  EXPECT_THAT(status.message(), HasSubstr("deep.yaml:"));
}

TEST(YamlLimitsTest, LargeDocumentWithoutAliasesPasses) {
  std::string yaml = "items:\n";
  for (int i = 0; i < 5000; ++i) yaml += "  - {a: 1, b: [x, y]}\n";
  EXPECT_TRUE(CheckYamlLimits(yaml, "big.yaml").ok());
}

}  // namespace
}  // namespace runnel::host
