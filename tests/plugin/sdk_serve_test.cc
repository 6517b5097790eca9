// Serve() and the adapters, through a purpose-built plugin process
// (sdk_test_plugin.cc): service registration by capability, status mapping,
// the RunStream queue drain, stdout sealing and cancellation.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "backend.grpc.pb.h"
#include "gtest/gtest.h"
#include "plugin_launch.h"
#include "plugin_process.h"

namespace runnel::testing {
namespace {

using std::chrono::milliseconds;

constexpr const char* kPlugin = RUNNEL_SDK_TEST_PLUGIN;

class SdkServeTest : public LaunchedPluginTest {
 protected:
  SdkServeTest() : LaunchedPluginTest(kPlugin, milliseconds(60000)) {}
};

TEST_F(SdkServeTest, ServicesWithoutHandlersAreUnimplemented) {
  {
    grpc::ClientContext ctx;
    pluginv2::QueryDataResponse resp;
    auto stub = pluginv2::Data::NewStub(plugin_.channel);
    EXPECT_EQ(stub->QueryData(&ctx, {}, &resp).error_code(),
              grpc::StatusCode::UNIMPLEMENTED);
  }
  {
    grpc::ClientContext ctx;
    pluginv2::CheckHealthResponse resp;
    auto stub = pluginv2::Diagnostics::NewStub(plugin_.channel);
    EXPECT_EQ(stub->CheckHealth(&ctx, {}, &resp).error_code(),
              grpc::StatusCode::UNIMPLEMENTED);
  }
  {
    grpc::ClientContext ctx;
    auto stub = pluginv2::Resource::NewStub(plugin_.channel);
    auto reader = stub->CallResource(&ctx, {});
    pluginv2::CallResourceResponse resp;
    EXPECT_FALSE(reader->Read(&resp));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNIMPLEMENTED);
  }
  {
    // The Stream service is registered, but PublishStream has no handler.
    grpc::ClientContext ctx;
    pluginv2::PublishStreamResponse resp;
    EXPECT_EQ(stream_->PublishStream(&ctx, {}, &resp).error_code(),
              grpc::StatusCode::UNIMPLEMENTED);
  }
}

TEST_F(SdkServeTest, EveryQueuedPacketIsDeliveredBeforeTheStreamEnds) {
  std::vector<std::string> packets;
  grpc::Status status = RunToEnd("burst/20000", &packets);
  EXPECT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(packets.size(), 20000u);
  for (size_t i = 0; i < packets.size(); i += 997) {
    EXPECT_EQ(packets[i],
              R"({"data":{"values":[[)" + std::to_string(i) + "]]}}");
  }
  EXPECT_EQ(packets.back(), R"({"data":{"values":[[19999]]}})");
}

TEST_F(SdkServeTest, HandlerErrorEndsTheCallWithItsCodeAndMessage) {
  std::vector<std::string> packets;
  grpc::Status status = RunToEnd("fail", &packets);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(), "denied by the test");
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0], R"({"before":"failure"})");
}

TEST_F(SdkServeTest, HandlerExceptionBecomesInternal) {
  std::vector<std::string> packets;
  grpc::Status status = RunToEnd("throw", &packets);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_NE(status.error_message().find("boom"), std::string::npos);
  // The plugin survived.
  packets.clear();
  EXPECT_TRUE(RunToEnd("burst/3", &packets).ok());
  EXPECT_EQ(packets.size(), 3u);
}

TEST_F(SdkServeTest, SendJSONRejectsInvalidJSON) {
  std::vector<std::string> packets;
  grpc::Status status = RunToEnd("invalid-json", &packets);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(packets.empty());
}

TEST_F(SdkServeTest, AuthorStdoutGoesToStderrAndCancelWakesTheHandler) {
  grpc::ClientContext ctx;
  pluginv2::RunStreamRequest req;
  req.set_path("stdout");
  auto reader = stream_->RunStream(&ctx, req);
  pluginv2::StreamPacket packet;
  ASSERT_TRUE(reader->Read(&packet));
  EXPECT_EQ(packet.data(), R"({"printed":true})");
  ctx.TryCancel();
  while (reader->Read(&packet)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // The handler is sleeping for an hour; the cancel must wake it.
  EXPECT_NE(WaitForLogLine("test stream saw the cancel"), "")
      << plugin_.process->Stderr();
  const std::string log = plugin_.process->Stderr();
  EXPECT_NE(log.find("stray printf from the author"), std::string::npos);
  EXPECT_NE(log.find("stray cout from the author"), std::string::npos);
  // Stop the plugin: stdout must hold nothing after the handshake line.
  plugin_.process->Signal(SIGTERM);
  EXPECT_EQ(plugin_.process->WaitForExit(milliseconds(10000)), 0);
  EXPECT_EQ(plugin_.process->ReadRestOfStdout(milliseconds(1000)), "");
}

TEST_F(SdkServeTest, StopWhileAStreamSleepsExitsZero) {
  grpc::ClientContext ctx;
  pluginv2::RunStreamRequest req;
  req.set_path("wait");
  auto reader = stream_->RunStream(&ctx, req);
  // Give the call time to reach the handler; a wait, not an assertion.
  std::this_thread::sleep_for(milliseconds(200));
  plugin_.process->Signal(SIGTERM);
  EXPECT_EQ(plugin_.process->WaitForExit(milliseconds(10000)), 0)
      << plugin_.process->Stderr();
  pluginv2::StreamPacket packet;
  while (reader->Read(&packet)) {
  }
  reader->Finish();
}

}  // namespace
}  // namespace runnel::testing
