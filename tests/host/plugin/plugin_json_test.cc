#include "plugin/plugin_json.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace runnel::host {
namespace {

using ::runnel::testing::TempDir;
namespace fs = std::filesystem;

void WriteFile(const fs::path& path, const std::string& text,
               bool executable = false) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
  if (executable) chmod(path.c_str(), 0755);
}

const char* kGoodJSON = R"({"id":"acme-foo-datasource","type":"datasource",
  "name":"Foo","backend":true,"executable":"gpx_foo",
  "aliasIDs":["foo"],"info":{"version":"1.2.3"}})";

TEST(PluginJSON, ReadsGoodFolderWithArchExecutable) {
  TempDir tmp;
  fs::path dir = tmp.fs_path() / "foo";
  WriteFile(dir / "plugin.json", kGoodJSON);
  WriteFile(dir / ("gpx_foo_linux_" + std::string(GoArch())), "#!/bin/sh\n",
            true);
  WriteFile(dir / "gpx_foo", "#!/bin/sh\n", true);
  PluginManifest m;
  Status s = ReadPluginFolder(dir.string(), &m);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(m.id, "acme-foo-datasource");
  EXPECT_EQ(m.type, "datasource");
  EXPECT_EQ(m.name, "Foo");
  EXPECT_EQ(m.version, "1.2.3");
  EXPECT_EQ(m.alias_ids, std::vector<std::string>{"foo"});
  EXPECT_EQ(m.executable_path,
            (dir / ("gpx_foo_linux_" + std::string(GoArch()))).string());
}

TEST(PluginJSON, FallsBackToPlainExecutable) {
  TempDir tmp;
  WriteFile(tmp.fs_path() / "plugin.json", kGoodJSON);
  WriteFile(tmp.fs_path() / "gpx_foo", "#!/bin/sh\n", true);
  PluginManifest m;
  ASSERT_TRUE(ReadPluginFolder(tmp.path(), &m).ok());
  EXPECT_EQ(m.executable_path, (tmp.fs_path() / "gpx_foo").string());
}

TEST(PluginJSON, UsesDistSubfolder) {
  TempDir tmp;
  WriteFile(tmp.fs_path() / "dist" / "plugin.json", kGoodJSON);
  WriteFile(tmp.fs_path() / "dist" / "gpx_foo", "#!/bin/sh\n", true);
  PluginManifest m;
  ASSERT_TRUE(ReadPluginFolder(tmp.path(), &m).ok());
  EXPECT_EQ(m.dir, (tmp.fs_path() / "dist").string());
}

TEST(PluginJSON, MissingExecutableNamesFileAndPaths) {
  TempDir tmp;
  WriteFile(tmp.fs_path() / "plugin.json", kGoodJSON);
  PluginManifest m;
  Status s = ReadPluginFolder(tmp.path(), &m);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find((tmp.fs_path() / "plugin.json").string()),
            std::string::npos);
  EXPECT_NE(s.message().find("executable not found"), std::string::npos);
  EXPECT_NE(s.message().find("gpx_foo_linux_"), std::string::npos);
}

TEST(PluginJSON, NonExecutableFileDoesNotCount) {
  TempDir tmp;
  WriteFile(tmp.fs_path() / "plugin.json", kGoodJSON);
  WriteFile(tmp.fs_path() / "gpx_foo", "not executable", false);
  PluginManifest m;
  EXPECT_FALSE(ReadPluginFolder(tmp.path(), &m).ok());
}

TEST(PluginJSON, BackendFalseIsNotABackendPlugin) {
  TempDir tmp;
  WriteFile(tmp.fs_path() / "plugin.json",
            R"({"id":"a-panel","type":"panel","backend":false})");
  PluginManifest m;
  Status s = ReadPluginFolder(tmp.path(), &m);
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("backend"), std::string::npos);
}

TEST(PluginJSON, BadJSONNamesTheFile) {
  TempDir tmp;
  WriteFile(tmp.fs_path() / "plugin.json", "{\"id\": ");
  PluginManifest m;
  Status s = ReadPluginFolder(tmp.path(), &m);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("plugin.json: invalid JSON"), std::string::npos);
}

TEST(PluginJSON, MissingIdAndWrongTypes) {
  TempDir tmp;
  WriteFile(tmp.fs_path() / "plugin.json",
            R"({"backend":true,"executable":"x"})");
  PluginManifest m;
  EXPECT_NE(ReadPluginFolder(tmp.path(), &m).message().find("missing \"id\""),
            std::string::npos);
  WriteFile(tmp.fs_path() / "plugin.json",
            R"({"id":"a","backend":true,"executable":5})");
  EXPECT_NE(ReadPluginFolder(tmp.path(), &m)
                .message()
                .find("\"executable\" must be a string"),
            std::string::npos);
}

TEST(PluginJSON, DiscoverScansFoldersOfPlugins) {
  TempDir tmp;
  fs::path root = tmp.fs_path() / "plugins";
  WriteFile(root / "good" / "plugin.json", kGoodJSON);
  WriteFile(root / "good" / "gpx_foo", "#!/bin/sh\n", true);
  WriteFile(root / "panel" / "plugin.json",
            R"({"id":"p","type":"panel","backend":false})");
  WriteFile(root / "broken" / "plugin.json", "nope");
  fs::create_directories(root / "empty");
  // A plugin folder given directly, too.
  fs::path direct = tmp.fs_path() / "direct";
  WriteFile(direct / "plugin.json",
            R"({"id":"b-app","backend":true,"executable":"b"})");
  WriteFile(direct / "b", "#!/bin/sh\n", true);

  DiscoveryResult r = DiscoverPlugins(
      {root.string(), direct.string(), (tmp.fs_path() / "missing").string()});
  ASSERT_EQ(r.plugins.size(), 2u);
  EXPECT_EQ(r.plugins[0].id, "acme-foo-datasource");
  EXPECT_EQ(r.plugins[1].id, "b-app");
  ASSERT_EQ(r.skipped_frontend_only.size(), 1u);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_NE(r.errors[0].find("broken"), std::string::npos);
  EXPECT_NE(r.errors[1].find("does not exist"), std::string::npos);
}

}  // namespace
}  // namespace runnel::host
