using Microsoft.ML;
using Microsoft.ML.Data;
using HorrorAlign.ML.Specs;

namespace HorrorAlign.ML.Tests.MLNet;

/// <summary>Bad input fails before any training, naming the column, its role and what was wrong.</summary>
[Collection(MLNetCollection.Name)]
public sealed class SchemaErrorTests(TrainedPipeline fixture)
{
    sealed class NoChosenRow
    {
        public string Prompt { get; set; } = "p";
        public string Rejected { get; set; } = "r";
    }

    sealed class FloatPromptRow
    {
        public float Prompt { get; set; }
        public string Chosen { get; set; } = "c";
        public string Rejected { get; set; } = "r";
    }

    sealed class PartialSpecRow
    {
        [ColumnName("title")] public string Title { get; set; } = "T";
        [ColumnName("setting")] public string Setting { get; set; } = "a house";
    }

    readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void MissingChosenColumnIsNamedByFitAndByTheSchemaCheck()
    {
        var data = _ml.Data.LoadFromEnumerable([new NoChosenRow()]);
        var sft = _ml.StoryGeneration().Trainers.Sft(MLNetFixtures.SftOptions());
        var atFit = Assert.Throws<ArgumentOutOfRangeException>(() => sft.Fit(data));
        Assert.Contains("Column 'Chosen' (the SFT target story) was not found", atFit.Message);
        Assert.Contains("'Prompt', 'Rejected'", atFit.Message);
        var atSchema = Assert.Throws<ArgumentOutOfRangeException>(() => sft.GetOutputSchema(Shape<NoChosenRow>()));
        Assert.Contains("Column 'Chosen' (the SFT target story) was not found", atSchema.Message);
    }

    [Fact]
    public void WrongTypeIsNamedWithTheExpectedType()
    {
        var data = _ml.Data.LoadFromEnumerable([new FloatPromptRow()]);
        var dpo = _ml.StoryGeneration().Trainers.Dpo(MLNetFixtures.DpoOptions());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => dpo.Fit(data, fixture.Sft));
        Assert.Contains("Column 'Prompt' (the prompt) has type Single, but it must be text (String)", e.Message);
        var generator = _ml.StoryGeneration().GenerateStory();
        Assert.Throws<ArgumentOutOfRangeException>(() => generator.Fit(data, fixture.Sft));
        Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Model.LastTransformer.GetOutputSchema(data.Schema));
        var atSchema = Assert.Throws<ArgumentOutOfRangeException>(() => dpo.GetOutputSchema(Shape<FloatPromptRow>()));
        Assert.Contains("Column 'Prompt' (the prompt) has type Single, but it must be text (String)", atSchema.Message);
    }

    [Fact]
    public void WholeChainSchemaCheckPassesAndAddsTheColumns()
    {
        var sg = _ml.StoryGeneration();
        var chain = sg.FeaturizeSpec().Append(sg.Trainers.Sft()).Append(sg.Trainers.Dpo()).Append(sg.GenerateStory());
        var output = chain.GetOutputSchema(Shape<StoryPairInput>());
        foreach (var name in new[] { "Prompt", "StoryModel", "Story", "Chosen" })
            Assert.Contains(output, c => c.Name == name);
        Assert.DoesNotContain(output, c => c.Name.StartsWith("__HorrorAlign", StringComparison.Ordinal));
        // Without the SFT stage, the chain check already knows DPO has no model to start from.
        var noSft = sg.FeaturizeSpec().Append(sg.Trainers.Dpo());
        Assert.Contains("'StoryModel'", Assert.Throws<ArgumentOutOfRangeException>(() => noSft.GetOutputSchema(Shape<StoryPairInput>())).Message);
    }

    sealed class Nothing;

    /// <summary>The estimator-time shape of rows of <typeparamref name="T"/> (ML.NET's SchemaShape.Create is internal:
    /// a CustomMapping from no columns produces exactly T's columns).</summary>
    SchemaShape Shape<T>() where T : class, new() =>
        _ml.Transforms.CustomMapping<Nothing, T>((_, _) => { }, null).GetOutputSchema(new SchemaShape([]));

    [Fact]
    public void DpoWithoutAnSftModelSaysHowToProvideOne()
    {
        var data = _ml.Data.LoadFromEnumerable([new StoryPairInput { Chosen = "c", Rejected = "r" }]);
        var featurized = _ml.Transforms.CopyColumns("Prompt", "title").Fit(data).Transform(data);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.StoryGeneration().Trainers.Dpo().Fit(featurized));
        Assert.Contains("no model-reference column 'StoryModel'", e.Message);
        Assert.Contains("Fit(data, sftTransformer)", e.Message);
    }

    [Fact]
    public void PartialSpecColumnsNameTheMissingField()
    {
        var data = _ml.Data.LoadFromEnumerable([new PartialSpecRow()]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.StoryGeneration().FeaturizeSpec().Fit(data));
        Assert.Contains("Column 'protagonist' (story spec field 'protagonist') was not found", e.Message);
    }

    [Fact]
    public void NeitherSpecNorPromptIsExplained()
    {
        var data = _ml.Data.LoadFromEnumerable([new NoChosenRow()]);
        var renamed = _ml.Transforms.CopyColumns("Text", "Prompt").Append(_ml.Transforms.DropColumns("Prompt")).Fit(data).Transform(data);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.StoryGeneration().FeaturizeSpec().Fit(renamed));
        Assert.Contains("Column 'Prompt'", e.Message);
        Assert.Contains("none of the story spec columns", e.Message);
    }

    [Fact]
    public void InvalidSpecRowIsNamedByRowAndField()
    {
        var rows = MLNetFixtures.Rows(3);
        rows[2].Taboo = "  ";
        var data = _ml.Data.LoadFromEnumerable(rows);
        var e = Assert.Throws<SpecValidationException>(() => _ml.StoryGeneration().FeaturizeSpec().Fit(data));
        Assert.Equal("taboo", e.Field);
        Assert.Contains("row 2", e.Message);

        // A fitted featurizer meeting a bad spec later names the field and the spec's title.
        var good = _ml.StoryGeneration().FeaturizeSpec().Fit(_ml.Data.LoadFromEnumerable(MLNetFixtures.Rows(1)));
        var lazy = Assert.ThrowsAny<Exception>(() => good.Transform(data).GetColumn<string>("Prompt").ToArray());
        Assert.Contains("field 'taboo'", Flatten(lazy));
        Assert.Contains(rows[2].Title, Flatten(lazy));
    }

    [Fact]
    public void EmptyStoryIsNamedByRowAndColumn()
    {
        var rows = MLNetFixtures.Rows(3);
        rows[1].Chosen = "";
        var featurized = fixture.Featurizer.Transform(_ml.Data.LoadFromEnumerable(rows));
        var e = Assert.Throws<InvalidOperationException>(() => _ml.StoryGeneration().Trainers.Sft(MLNetFixtures.SftOptions()).Fit(featurized));
        Assert.Contains("row 1: column 'Chosen' is empty", e.Message);
    }

    [Fact]
    public void BadOptionsAreNamed()
    {
        var options = MLNetFixtures.SftOptions();
        options.ValidationFraction = 1.5;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.StoryGeneration().Trainers.Sft(options));
        Assert.Contains("ValidationFraction", e.Message);
        var generator = MLNetFixtures.GeneratorOptions();
        generator.TopP = 0;
        Assert.Contains("TopP", Assert.Throws<ArgumentException>(() => _ml.StoryGeneration().GenerateStory(generator)).Message);
    }

    static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Flatten(e.InnerException);
}
