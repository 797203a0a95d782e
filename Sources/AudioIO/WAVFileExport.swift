/// WAV reading and writing live in MediaCore (media workers read hold music and record calls with them); the file
/// backend's users keep seeing them through AudioIO.
@_exported import struct MediaCore.WAVFile
@_exported import class MediaCore.WAVStreamWriter
