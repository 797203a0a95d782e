/// WAV parsing lives in MediaCore (media workers read hold music with it); the file backend's users keep seeing
/// it through AudioIO.
@_exported import struct MediaCore.WAVFile
