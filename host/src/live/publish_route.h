// PublishThrough: the one way a client's publication goes out, whether it
// came as the WebSocket's publish command or as POST /api/live/publish
// (grafana live.go handleOnPublish and HandleHTTPPublish): the channel's
// handler decides, and what its reply asks to publish is published into
// the hub here. A publication over the hub's size limit is answered 106,
// like the other limits.
//
// Grafana's HTTP path publishes the request's data rather than the plugin's
// reply data when the reply has any (see docs/live-protocol.md); Runnel
// publishes the reply's data on both paths, so a plugin sees one behaviour.
//
// Thread-safety: any thread; `done` runs on the handler's thread.
#ifndef RUNNEL_HOST_LIVE_PUBLISH_ROUTE_H_
#define RUNNEL_HOST_LIVE_PUBLISH_ROUTE_H_

#include <functional>
#include <string>

#include "live/channel_handler.h"
#include "live/hub.h"
#include "runnel/live_channel.h"

namespace runnel::host {

// `wire_channel` is `channel` with the org prefix; the caller checked that
// the org is the publisher's.
void PublishThrough(ChannelHandler& handler, Hub& hub,
                    const ClientIdentity& who, const std::string& wire_channel,
                    const LiveChannel& channel, const std::string& data,
                    std::function<void(PublishReply)> done);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_PUBLISH_ROUTE_H_
