// The non-blocking RunStream (AsyncRunStreamHandler) through Serve(), with
// a purpose-built plugin (sdk_async_test_plugin.cc): clean and error ends,
// exceptions, the full-queue refusal, cancellation, stopped timers, and
// the refusal of two RunStream handlers.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "backend.grpc.pb.h"
#include "gtest/gtest.h"
#include "plugin_launch.h"
#include "plugin_process.h"

namespace runnel::testing {
namespace {

using std::chrono::milliseconds;

constexpr const char* kPlugin = RUNNEL_SDK_ASYNC_TEST_PLUGIN;

class SdkAsyncServeTest : public LaunchedPluginTest {
 protected:
  SdkAsyncServeTest() : LaunchedPluginTest(kPlugin, milliseconds(30000)) {}
};

TEST_F(SdkAsyncServeTest, EndOkAfterTheSendsDeliversThemAllInOrder) {
  std::vector<std::string> packets;
  grpc::Status status = RunToEnd("count/500", &packets);
  EXPECT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(packets.size(), 500u);
  EXPECT_EQ(packets.front(), R"({"left":500})");
  EXPECT_EQ(packets.back(), R"({"left":1})");
}

TEST_F(SdkAsyncServeTest, EndWithAnErrorEndsTheCallWithItsCodeAndMessage) {
  std::vector<std::string> packets;
  grpc::Status status = RunToEnd("fail", &packets);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(), "denied by the test");
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0], R"({"before":"failure"})");
}

TEST_F(SdkAsyncServeTest, StartStreamErrorEndsTheCallAtOnce) {
  std::vector<std::string> packets;
  grpc::Status status = RunToEnd("start-error", &packets);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "no such test stream");
  EXPECT_TRUE(packets.empty());
}

TEST_F(SdkAsyncServeTest, ExceptionsEndTheStreamWithInternalAndAreLogged) {
  for (const std::string path : {"throw-start", "throw-tick"}) {
    std::vector<std::string> packets;
    grpc::Status status = RunToEnd(path, &packets);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL) << path;
    const std::string what =
        path == "throw-start" ? "boom at start" : "boom in tick";
    EXPECT_NE(status.error_message().find(what), std::string::npos)
        << status.error_message();
    EXPECT_NE(WaitForLogLine(what), "") << plugin_.process->Stderr();
  }
  // The plugin and its executor survived.
  std::vector<std::string> packets;
  EXPECT_TRUE(RunToEnd("count/3", &packets).ok());
  EXPECT_EQ(packets.size(), 3u);
}

TEST_F(SdkAsyncServeTest, AFullQueueRefusesSendsWithoutBlocking) {
  std::vector<std::string> packets;
  grpc::Status status = RunToEnd("flood", &packets);
  EXPECT_TRUE(status.ok()) << status.error_message();
  const std::string line = WaitForLogLine(R"("@message":"flood")");
  ASSERT_NE(line, "") << plugin_.process->Stderr();
  const nlohmann::json flood = nlohmann::json::parse(line);
  const int accepted = std::stoi(flood.at("accepted").get<std::string>());
  const int refused = std::stoi(flood.at("refused").get<std::string>());
  EXPECT_EQ(accepted + refused, 1000);
  EXPECT_GT(refused, 0);
  // Every accepted packet arrived, in order.
  ASSERT_EQ(packets.size(), static_cast<size_t>(accepted));
  EXPECT_EQ(packets.front(), R"({"i":0})");
}

TEST_F(SdkAsyncServeTest, HostCancelStopsTheTimersAndCallsOnCancel) {
  grpc::ClientContext ctx;
  pluginv2::RunStreamRequest req;
  req.set_path("tick");
  auto reader = stream_->RunStream(&ctx, req);
  pluginv2::StreamPacket packet;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(reader->Read(&packet)) << plugin_.process->Stderr();
    EXPECT_EQ(packet.data(), R"({"tick":true})");
  }
  ctx.TryCancel();
  while (reader->Read(&packet)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_NE(WaitForLogLine("async stream saw the cancel"), "")
      << plugin_.process->Stderr();
  // A later stream runs to its end after the cancelled one's turn; a tick
  // of the cancelled stream after its OnCancel would have been logged.
  std::vector<std::string> packets;
  EXPECT_TRUE(RunToEnd("count/5", &packets).ok());
  EXPECT_EQ(plugin_.process->Stderr().find("tick after the cancel"),
            std::string::npos);
}

TEST_F(SdkAsyncServeTest, AStoppedTimerNeverRuns) {
  std::vector<std::string> packets;
  grpc::Status status = RunToEnd("stopped-timer", &packets);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(SdkAsyncServeTest, SigtermWithRunningStreamsExitsZero) {
  grpc::ClientContext ctx;
  pluginv2::RunStreamRequest req;
  req.set_path("tick");
  auto reader = stream_->RunStream(&ctx, req);
  pluginv2::StreamPacket packet;
  ASSERT_TRUE(reader->Read(&packet));
  plugin_.process->Signal(SIGTERM);
  EXPECT_EQ(plugin_.process->WaitForExit(milliseconds(10000)), 0)
      << plugin_.process->Stderr();
  while (reader->Read(&packet)) {
  }
  reader->Finish();
  EXPECT_NE(plugin_.process->Stderr().find("async stream saw the cancel"),
            std::string::npos)
      << plugin_.process->Stderr();
}

TEST(SdkAsyncServeStartTest, BothRunStreamHandlersAreRefused) {
  TempDir dir;
  auto env = GrafanaPluginEnv(dir.path());
  env["RUNNEL_TEST_BOTH_HANDLERS"] = "1";
  std::string error;
  auto process =
      PluginProcess::Start(kPlugin, env, dir.path() + "/stderr.log", &error);
  ASSERT_NE(process, nullptr) << error;
  EXPECT_EQ(process->WaitForExit(milliseconds(10000)), 1);
  EXPECT_NE(process->Stderr().find("both run_stream and async_run_stream"),
            std::string::npos)
      << process->Stderr();
  EXPECT_EQ(process->ReadRestOfStdout(milliseconds(1000)), "");
}

}  // namespace
}  // namespace runnel::testing
