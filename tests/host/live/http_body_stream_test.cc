#include "live/http_body_stream.h"

#include <gtest/gtest.h>

#include <string>

namespace runnel::host {
namespace {

TEST(HttpBodyStreamTest, ChunksAndTheEndReachTheConsumerInOrder) {
  HttpBodyStream stream(100);
  int wakes = 0;
  EXPECT_TRUE(stream.Write("a"));
  stream.SetWake([&] { ++wakes; });
  EXPECT_EQ(wakes, 1);  // something was waiting already
  EXPECT_TRUE(stream.Write("b"));
  EXPECT_EQ(wakes, 2);
  HttpBodyStream::Taken first = stream.Take();
  EXPECT_EQ(first.data, "ab");
  EXPECT_FALSE(first.ended);
  stream.End(true);
  HttpBodyStream::Taken last = stream.Take();
  EXPECT_EQ(last.data, "");
  EXPECT_TRUE(last.ended);
  EXPECT_TRUE(last.ok);
  EXPECT_FALSE(stream.Write("late"));  // nothing after the end
}

TEST(HttpBodyStreamTest, AFullQueueHoldsTheProducerUntilTheConsumerTakes) {
  HttpBodyStream stream(10);
  EXPECT_TRUE(stream.Write("12345"));
  EXPECT_FALSE(stream.Write("6789012"));  // 12 bytes queued: over 10
  bool room = false;
  stream.WhenRoom([&] { room = true; });
  EXPECT_FALSE(room);
  EXPECT_EQ(stream.Take().data, "123456789012");
  EXPECT_TRUE(room);
  bool at_once = false;
  stream.WhenRoom([&] { at_once = true; });  // empty: runs now
  EXPECT_TRUE(at_once);
}

TEST(HttpBodyStreamTest, ACancelTellsTheProducerOnceAndDropsTheQueue) {
  HttpBodyStream stream(10);
  int cancels = 0;
  stream.OnCancel([&] { ++cancels; });
  EXPECT_FALSE(stream.Write("12345678901"));
  bool room = false;
  stream.WhenRoom([&] { room = true; });
  stream.Cancel();
  stream.Cancel();
  EXPECT_EQ(cancels, 1);
  EXPECT_FALSE(room);  // the producer hears of it through OnCancel
  EXPECT_EQ(stream.Take().data, "");
  EXPECT_FALSE(stream.Write("more"));
  int late = 0;
  stream.OnCancel([&] { ++late; });  // registered after: runs at once
  EXPECT_EQ(late, 1);
}

TEST(HttpBodyStreamTest, ABrokenEndIsReported) {
  HttpBodyStream stream;
  stream.Write("partial");
  stream.End(false);
  HttpBodyStream::Taken taken = stream.Take();
  EXPECT_EQ(taken.data, "partial");
  EXPECT_TRUE(taken.ended);
  EXPECT_FALSE(taken.ok);
}

}  // namespace
}  // namespace runnel::host
