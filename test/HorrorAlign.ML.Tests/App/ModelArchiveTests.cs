using HorrorAlign.ML.Generation;
using HorrorAlign.ML.Samples.Reporting;
using HorrorAlign.ML.Tests.Data;
using HorrorAlign.ML.Tests.Training;

namespace HorrorAlign.ML.Tests.App;

/// <summary>The app's model files: an ML.NET zip or a bare model file, recognised by content.</summary>
[Collection(SerialTorchCollection.Name)]
public sealed class ModelArchiveTests
{
    [Fact]
    public void ZipAndBareModelFileLoadTheSameWeights()
    {
        using var dir = new TempDirectory();
        using var model = TrainingFixtures.FreshModel(seed: 8);
        string zip = dir.File("model.zip"), bare = dir.File("model.bin");
        ModelArchive.Save(model, zip, new SamplingOptions { MaxNewTokens = 5 });
        model.Save(bare);

        using var fromZip = ModelArchive.Load(zip);
        using var fromBare = ModelArchive.Load(bare);

        Assert.Equal(model.ToBytes(), fromZip.ToBytes());
        Assert.Equal(model.ToBytes(), fromBare.ToBytes());
        Assert.Equal((byte)'P', File.ReadAllBytes(zip)[0]);
    }

    [Fact]
    public void MissingOrForeignFilesFailClearly()
    {
        using var dir = new TempDirectory();
        Assert.Throws<FileNotFoundException>(() => ModelArchive.Load(dir.File("nope.zip")));
        File.WriteAllText(dir.File("junk.zip"), "PK not really a zip");
        Assert.Contains("junk.zip", Assert.Throws<InvalidDataException>(() => ModelArchive.Load(dir.File("junk.zip"))).Message);
        File.WriteAllText(dir.File("junk.bin"), "hello");
        Assert.Contains("junk.bin", Assert.Throws<InvalidDataException>(() => ModelArchive.Load(dir.File("junk.bin"))).Message);
    }
}
