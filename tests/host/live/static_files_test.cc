#include "live/static_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace runnel::host {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.fs_path();
    fs::create_directories(root_ / "site" / "assets");
    Write("site/index.html", "<html>hi</html>");
    Write("site/assets/app-1a2b.js", "console.log(1)");
    Write("site/favicon.ico", "ico");
    Write("secret.txt", "top secret");
  }
  void Write(const std::string& path, const std::string& text) {
    std::ofstream(root_ / path) << text;
  }
  std::string site() const { return (root_ / "site").string(); }
  ::runnel::testing::TempDir tmp_;
  fs::path root_;
};

TEST_F(StaticFilesTest, IndexAtRootWithNoCache) {
  HttpResponse response = ServeStaticFile(site(), "/");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "<html>hi</html>");
  EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].second, "no-cache");
}

TEST_F(StaticFilesTest, HashedAssetsAreImmutable) {
  HttpResponse response = ServeStaticFile(site(), "/assets/app-1a2b.js");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(response.headers[0].second, "public, max-age=31536000, immutable");
}

TEST_F(StaticFilesTest, MissingIs404) {
  EXPECT_EQ(ServeStaticFile(site(), "/nope.js").status, 404);
}

TEST_F(StaticFilesTest, TraversalIsRefused) {
  EXPECT_NE(ServeStaticFile(site(), "/../secret.txt").status, 200);
  EXPECT_NE(ServeStaticFile(site(), "/%2e%2e/secret.txt").status, 200);
  EXPECT_NE(ServeStaticFile(site(), "/assets/..%2f..%2fsecret.txt").status,
            200);
  fs::create_symlink(root_ / "secret.txt", root_ / "site" / "link.txt");
  EXPECT_EQ(ServeStaticFile(site(), "/link.txt").status, 404);
}

TEST(ContentTypeTest, KnownTypes) {
  EXPECT_EQ(ContentTypeFor("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("a.png"), "image/png");
  EXPECT_EQ(ContentTypeFor("a.json"), "application/json");
  EXPECT_EQ(ContentTypeFor("a.js.map"), "application/json");
  EXPECT_EQ(ContentTypeFor("a.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("a.bin"), "application/octet-stream");
}

}  // namespace
}  // namespace runnel::host
