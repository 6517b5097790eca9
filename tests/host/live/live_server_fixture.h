// LiveServerTest: the fixture of the tests that drive the Live server over
// real sockets: a Hub, and a Server on 127.0.0.1 at a free port (port 0)
// that TearDown shuts down and destroys.
// Thread-safety: the test thread only.
#ifndef RUNNEL_TESTS_HOST_LIVE_LIVE_SERVER_FIXTURE_H_
#define RUNNEL_TESTS_HOST_LIVE_LIVE_SERVER_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

#include "live/hub.h"
#include "live/live_config.h"
#include "live/server.h"

namespace runnel::host::testing {

class LiveServerTest : public ::testing::Test {
 protected:
  // 127.0.0.1, port 0, root_url http://localhost:3000/; the rest default.
  static LiveConfig TestConfig() {
    LiveConfig config;
    config.http_addr = "127.0.0.1";
    config.http_port = 0;
    config.root_url = "http://localhost:3000/";
    return config;
  }

  // Starts the server; fails the test if it does not listen.
  void StartServer(const LiveConfig& config, ChannelHandler* handler) {
    server_ = std::make_unique<Server>(config, hub_, handler);
    Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status.message();
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }

  void TearDown() override {
    if (server_) {
      server_->Shutdown();
      server_.reset();
    }
  }

  Hub hub_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

}  // namespace runnel::host::testing

#endif  // RUNNEL_TESTS_HOST_LIVE_LIVE_SERVER_FIXTURE_H_
