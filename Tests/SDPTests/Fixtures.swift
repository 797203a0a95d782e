/// Sample SDP bodies modelled on real softphone traffic.
enum Fixtures {
    static let softphone = """
    v=0\r
    o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r
    s=-\r
    c=IN IP4 192.0.2.10\r
    t=0 0\r
    m=audio 49170 RTP/AVP 0 8 101\r
    a=rtpmap:0 PCMU/8000\r
    a=rtpmap:8 PCMA/8000\r
    a=rtpmap:101 telephone-event/8000\r
    a=fmtp:101 0-16\r
    a=ptime:20\r
    a=sendrecv\r

    """

    static let withVideo = """
    v=0
    o=- 1 2 IN IP4 198.51.100.1
    s=call
    i=info
    c=IN IP4 198.51.100.1
    b=AS:512
    t=0 0
    a=tool:foo
    m=audio 5004 RTP/AVP 8 0 96
    a=rtpmap:96 telephone-event/8000
    a=x-unknown:abc
    m=video 5006 RTP/AVP 97
    b=AS:384
    a=rtpmap:97 H264/90000
    a=fmtp:97 profile-level-id=42e01f
    a=rtcp-mux

    """

    static let mediaLevelConnectionIPv6 = """
    v=0
    o=bob 5 6 IN IP6 2001:db8::1
    s= 
    t=0 0
    m=audio 6000/2 RTP/AVP 0
    c=IN IP6 2001:db8::2
    a=recvonly
    """
}
