#include "config/provisioning.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace runnel::host {
namespace {

using ::runnel::testing::TempDir;
using ::testing::HasSubstr;

TEST(ProvisioningTest, ReadsGrafanaFormat) {
  std::vector<DataSource> out;
  Status status = ParseDataSourcesYaml(
      "apiVersion: 1\n"
      "datasources:\n"
      "  - name: TestData\n"
      "    type: testdata\n"
      "    uid: td1\n"
      "    url: http://x\n"
      "    user: u\n"
      "    database: db\n"
      "    basicAuth: true\n"
      "    basicAuthUser: bob\n"
      "    isDefault: true\n"
      "    jsonData:\n"
      "      interval: 10\n"
      "      enabled: true\n"
      "      name: \"42\"\n"
      "      list: [a, 1]\n"
      "    secureJsonData:\n"
      "      password: pw\n"
      "  - name: Other One\n"
      "    type: testdata\n",
      "ds.yaml", &out);
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(out.size(), 2u);
  const DataSource& ds = out[0];
  EXPECT_EQ(ds.id, 1);
  EXPECT_EQ(ds.name, "TestData");
  EXPECT_EQ(ds.type, "testdata");
  EXPECT_EQ(ds.uid, "td1");
  EXPECT_EQ(ds.url, "http://x");
  EXPECT_EQ(ds.user, "u");
  EXPECT_EQ(ds.database, "db");
  EXPECT_TRUE(ds.basic_auth);
  EXPECT_EQ(ds.basic_auth_user, "bob");
  EXPECT_TRUE(ds.is_default);
  EXPECT_EQ(
      nlohmann::json::parse(ds.json_data),
      nlohmann::json::parse(
          R"({"interval":10,"enabled":true,"name":"42","list":["a",1]})"));
  EXPECT_EQ(ds.secure_json_data.at("password"), "pw");
  EXPECT_EQ(ds.source_file, "ds.yaml");
  EXPECT_EQ(ds.source_line, 3);
  // No uid: derived from the name, stable.
  EXPECT_EQ(out[1].uid, "other-one");
  EXPECT_EQ(out[1].id, 2);
  EXPECT_EQ(out[1].json_data, "{}");
}

TEST(ProvisioningTest, SyntaxErrorNamesFileAndLine) {
  std::vector<DataSource> out;
  Status status = ParseDataSourcesYaml(
      "apiVersion: 1\n"
      "datasources:\n"
      "  - name: A\n"
      "    type: [unclosed\n",
      "bad.yaml", &out);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("bad.yaml:"));
  EXPECT_THAT(status.message(), ::testing::MatchesRegex("bad.yaml:[45]: .*"));
}

TEST(ProvisioningTest, MissingTypeNamesTheItemLine) {
  std::vector<DataSource> out;
  Status status = ParseDataSourcesYaml(
      "apiVersion: 1\n"
      "datasources:\n"
      "  - name: A\n"
      "    type: testdata\n"
      "  - name: B\n"
      "    uid: b\n",
      "ds.yaml", &out);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("ds.yaml:5: data source 'B'"));
  EXPECT_THAT(status.message(), HasSubstr("no 'type'"));
}

TEST(ProvisioningTest, WrongShapeIsAnError) {
  std::vector<DataSource> out;
  Status status =
      ParseDataSourcesYaml("apiVersion: 1\ndatasources: 3\n", "x.yaml", &out);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("x.yaml:2: 'datasources' must be"));

  status = ParseDataSourcesYaml(
      "datasources:\n  - name: A\n    type: t\n    jsonData: 5\n", "y.yaml",
      &out);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("y.yaml:4: 'jsonData' must be"));
}

TEST(ProvisioningTest, InvalidUidIsAnError) {
  std::vector<DataSource> out;
  Status status = ParseDataSourcesYaml(
      "datasources:\n  - name: A\n    type: t\n    uid: a/b\n", "u.yaml", &out);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("u.yaml:2:"));
  EXPECT_THAT(status.message(), HasSubstr("'a/b'"));
}

TEST(ProvisioningTest, DuplicateUidAcrossFilesIsAnError) {
  TempDir dir;
  dir.Write("datasources/a.yaml",
            "apiVersion: 1\ndatasources:\n  - name: A\n    type: t\n"
            "    uid: same\n");
  std::string second =
      dir.Write("datasources/b.yml",
                "apiVersion: 1\ndatasources:\n\n  - name: B\n    type: t\n"
                "    uid: same\n");
  dir.Write("datasources/ignored.txt", "not yaml: [");
  std::vector<DataSource> out;
  Status status = LoadDataSources(dir.path(), &out);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(second + ":4: duplicate data source "
                                                   "uid 'same'"));
  EXPECT_THAT(status.message(), HasSubstr("a.yaml:3"));
}

TEST(ProvisioningTest, MissingFolderMeansNoDataSources) {
  TempDir dir;
  std::vector<DataSource> out;
  EXPECT_TRUE(LoadDataSources(dir.path() + "/none", &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(ProvisioningTest, DefaultProvisioningHasTestdata) {
  std::vector<DataSource> out;
  Status status = LoadDataSources(
      std::string(RUNNEL_SOURCE_DIR) + "/conf/provisioning", &out);
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].uid, "testdata");
  EXPECT_EQ(out[0].type, "testdata");
}

TEST(ProvisioningTest, UnknownPluginTypeNamesFileAndLine) {
  std::vector<DataSource> out;
  ASSERT_TRUE(
      ParseDataSourcesYaml("datasources:\n  - name: A\n    type: testdata\n"
                           "  - name: B\n    type: nope\n",
                           "t.yaml", &out)
          .ok());
  auto resolves = [](const std::string& type) { return type == "testdata"; };
  Status status = CheckDataSourceTypes(out, resolves, {"testdata"});
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(),
              HasSubstr("t.yaml:4: data source 'B' has type 'nope'"));
  EXPECT_THAT(status.message(), HasSubstr("have: testdata"));
  out.pop_back();
  EXPECT_TRUE(CheckDataSourceTypes(out, resolves, {"testdata"}).ok());
}

}  // namespace
}  // namespace runnel::host
