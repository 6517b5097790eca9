#include "live/accept_backoff.h"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>

namespace runnel::host {
namespace {

using std::chrono::milliseconds;

TEST(AcceptBackoffTest, PausesDoubleUpToOneSecondAndResetOnSuccess) {
  AcceptBackoff backoff;
  const boost::system::error_code emfile = boost::asio::error::no_descriptors;
  EXPECT_FALSE(backoff.failing());
  EXPECT_EQ(backoff.OnFailure(emfile), milliseconds(100));
  EXPECT_EQ(backoff.OnFailure(emfile), milliseconds(200));
  EXPECT_EQ(backoff.OnFailure(emfile), milliseconds(400));
  EXPECT_EQ(backoff.OnFailure(emfile), milliseconds(800));
  EXPECT_EQ(backoff.OnFailure(emfile), milliseconds(1000));
  EXPECT_EQ(backoff.OnFailure(emfile), milliseconds(1000));
  EXPECT_TRUE(backoff.failing());
  EXPECT_EQ(backoff.failures(), 6u);
  backoff.OnSuccess();
  EXPECT_FALSE(backoff.failing());
  EXPECT_EQ(backoff.OnFailure(emfile), milliseconds(100));
}

}  // namespace
}  // namespace runnel::host
